/**
 * Values for form fields and path segments: real ones of the world, plausible choices (some of
 * them wrong, like an unknown role), and hostile text.
 */
import fc from 'fast-check';
import { hostileString } from './arbitraries';
import { oneOf, uuid, type Value } from './http';

/** A path segment: a real one, or hostile text (percent-encoded, or raw and possibly malformed). */
export const segment = (known: string[]) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: hostileString({ maxLength: 20, long: [300] }).map(encodePart) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', '..', '%2e%2e', '%00', 'a%20b'),
    },
  );

/** encodeURIComponent, with lone surrogates (which it refuses) made U+FFFD as a browser would. */
export function encodePart(text: string): string {
  return encodeURIComponent(
    text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
  );
}
export const text = (...plausible: string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...plausible) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  ) as fc.Arbitrary<Value>;
export const email = fc.stringMatching(/^[a-z]{3,10}\.[a-z]{2,8}@example\.org$/) as fc.Arbitrary<Value>;
export const known = (values: string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...values) },
    { weight: 1, arbitrary: uuid },
  ) as fc.Arbitrary<Value>;
export const ROLES = oneOf('annotator', 'lead', 'safety_reviewer', 'researcher', 'admin', 'root');
export const SCORE = oneOf('-3', '-2', '-1', '0', '1', '2', '3', '4', '-3.5', '');
