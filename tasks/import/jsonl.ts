/**
 * Reads JSON Lines from a stream, plain or gzip (told apart by the magic bytes, not the file name),
 * without ever holding more than one line: a line over `maxLineBytes` is reported and skipped, and
 * the whole input stops with an error past `maxBytes` of decompressed data (zip bombs included).
 */
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

export interface JsonLine {
  line: number;
  value?: unknown;
  error?: string;
}

export interface JsonlLimits {
  maxBytes: number;
  maxLineBytes: number;
}

export const DEFAULT_JSONL_LIMITS: JsonlLimits = { maxBytes: 1024 ** 3, maxLineBytes: 4 * 1024 ** 2 };

export class InputTooLargeError extends Error {}

/** Input that cannot be read further at all (an unclosed quote, an empty file, a broken gzip stream). */
export class MalformedInputError extends Error {
  override name = 'MalformedInputError';
}

async function* decompressedInner(input: Readable): AsyncGenerator<Buffer> {
  const iterator = input[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  let head = Buffer.from(first.value as Buffer);
  // the magic number is two bytes, and a stream may hand over less than that first
  while (head.length < 2) {
    const next = await iterator.next();
    if (next.done) break;
    head = Buffer.concat([head, Buffer.from(next.value as Buffer)]);
  }
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    void (async () => {
      try {
        if (!gunzip.write(head)) await new Promise((r) => gunzip.once('drain', r));
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          if (!gunzip.write(next.value as Buffer)) await new Promise((r) => gunzip.once('drain', r));
        }
        gunzip.end();
      } catch (error) {
        gunzip.destroy(error as Error);
      }
    })();
    try {
      for await (const chunk of gunzip) yield chunk as Buffer;
    } catch (error) {
      // a user-facing error (the import job reports it without retrying), not a crash
      throw new MalformedInputError(
        `The file looks gzip-compressed but cannot be decompressed: ${(error as Error).message}`,
      );
    }
    return;
  }
  yield head;
  for (let next = await iterator.next(); !next.done; next = await iterator.next())
    yield Buffer.from(next.value as Buffer);
}

/**
 * Decompressed chunks (gzip told apart by its magic bytes); the input is released however reading
 * ends (done, error, or the caller stopping).
 */
export async function* decompressed(input: Readable): AsyncGenerator<Buffer> {
  try {
    yield* decompressedInner(input);
  } finally {
    input.destroy();
  }
}

export async function* readJsonLines(
  input: Readable,
  limits: JsonlLimits = DEFAULT_JSONL_LIMITS,
): AsyncGenerator<JsonLine> {
  let total = 0;
  let line = 0;
  let parts: Buffer[] = [];
  let partBytes = 0;
  let oversized = false;

  function finish(): JsonLine | null {
    line++;
    if (oversized) {
      oversized = false;
      parts = [];
      partBytes = 0;
      return { line, error: `line is longer than ${limits.maxLineBytes} bytes` };
    }
    let text = Buffer.concat(parts).toString('utf8').replace(/\r$/, '');
    // a byte-order mark (Windows tools write one) is not part of the first record
    if (line === 1) text = text.replace(/^\uFEFF/, '');
    parts = [];
    partBytes = 0;
    if (text.trim() === '') return null;
    try {
      return { line, value: JSON.parse(text) };
    } catch (error) {
      return { line, error: `not valid JSON (${(error as Error).message})` };
    }
  }

  for await (const chunk of decompressed(input)) {
    total += chunk.length;
    if (total > limits.maxBytes) {
      throw new InputTooLargeError(
        `The input is larger than ${limits.maxBytes} bytes (uncompressed); split it or raise the limit.`,
      );
    }
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      if (!oversized && partBytes + (nl - start) > limits.maxLineBytes) oversized = true;
      if (!oversized) parts.push(chunk.subarray(start, nl));
      const done = finish();
      if (done) yield done;
      start = nl + 1;
    }
    if (start < chunk.length && !oversized) {
      parts.push(chunk.subarray(start));
      partBytes += chunk.length - start;
      if (partBytes > limits.maxLineBytes) {
        oversized = true;
        parts = [];
      }
    }
  }
  if (parts.length || oversized) {
    const done = finish();
    if (done) yield done;
  }
}
