/**
 * Bodies around the size limits, on every route that takes one: over the limit (by a declared
 * Content-Length) the host refuses with 413 and names the setting, before any route or database
 * work; a body without a length (chunked) is refused with 411; just under the limit the request
 * reaches its route, which answers it without a 5xx.
 */
import fc from 'fast-check';
import type { AppConfig } from '../../app/utils/env.server';
import { rawRequest } from './http';
import { FuzzViolation, type FamilySpec } from './runner';
import type { FuzzTarget } from './world';

const FORM_PATHS = [
  '/login',
  '/logout',
  '/account',
  '/invite/some-token',
  '/admin/users',
  '/admin/users/00000000-0000-1000-8000-000000000000',
  '/projects',
  '/projects/some-project',
  '/compare',
  '/compare/history',
  '/label',
  '/label/history',
  '/adjudicate',
  '/calibration',
  '/pairs/00000000-0000-1000-8000-000000000000',
  '/items/00000000-0000-1000-8000-000000000000',
  '/review',
  '/models',
  '/exports',
];
const UPLOAD_PATHS = ['/projects/some-project/import', '/review/labels'];
const API_PATHS = ['/api/v1/projects/some-project/exports', '/api/v1/projects/some-project/score'];

export interface OversizedInput {
  path: string;
  /** bytes over (positive) or under (zero or negative) the path's limit */
  excess: number;
  chunked: boolean;
  contentType: string;
}

/** The oversized-body family against a server running with `config`'s limits. */
export function oversizedFamily(
  target: FuzzTarget,
  config: Pick<AppConfig, 'maxBodyBytes' | 'maxUploadBytes'>,
): FamilySpec<OversizedInput> {
  const limitOf = (path: string) =>
    UPLOAD_PATHS.includes(path) ? config.maxUploadBytes : config.maxBodyBytes;
  return {
    family: 'oversized: bodies and uploads around the size limits',
    arbitrary: fc.record({
      path: fc.constantFrom(...FORM_PATHS, ...UPLOAD_PATHS, ...API_PATHS),
      excess: fc.oneof(
        fc.integer({ min: 1, max: 4096 }),
        fc.integer({ min: -4096, max: 0 }),
        fc.constantFrom(1, 0),
      ),
      chunked: fc.oneof(
        { weight: 5, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
      contentType: fc.constantFrom(
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json',
      ),
    }),
    async check(input) {
      const size = Math.max(0, limitOf(input.path) + input.excess);
      const response = await rawRequest(
        `${target.url}${input.path}`,
        'POST',
        {
          'Content-Type': input.contentType,
          ...(input.chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(size) }),
        },
        Buffer.alloc(size, 0x61),
      );
      const { text } = response;
      const what = `${input.chunked ? 'chunked ' : ''}${size} bytes to ${input.path}`;
      if (response.status >= 500)
        throw new FuzzViolation('server-error', `${response.status} for ${what}: ${text.slice(0, 300)}`);
      const expected = input.chunked ? 411 : input.excess > 0 ? 413 : null;
      if (expected !== null) {
        if (response.status !== expected || !/ARBITER_MAX_(BODY|UPLOAD)_BYTES/.test(text))
          throw new FuzzViolation(
            'unexpected',
            `${what}: ${response.status} ${text.slice(0, 200)}, expected ${expected} naming the limit`,
          );
        return { outcome: `refused ${expected}`, detail: `${input.path} ${expected}` };
      }
      if (response.status === 413 || response.status === 411)
        throw new FuzzViolation(
          'unexpected',
          `${what} is within the limit but was refused with ${response.status}`,
        );
      return { outcome: 'within the limit', detail: `${input.path} ${response.status}` };
    },
  };
}
