/**
 * Text PostgreSQL cannot store. A JavaScript string may hold a NUL (U+0000), which neither `text`
 * nor `jsonb` accepts, and a lone UTF-16 surrogate (half of an emoji, as a cut-off string or a
 * bad `\ud83d` escape in JSON leaves it), which `jsonb` refuses. Either would fail the insert with
 * a driver error, so input boundaries check for them first and say where the character is.
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `text` cannot be stored, or null when it can. */
export function unstorableText(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored';
  if (LONE_SURROGATE.test(text))
    return 'contains half of a UTF-16 surrogate pair (a cut-off emoji or a bad \\u escape), which cannot be stored';
  return null;
}

/**
 * The first string or object key inside `value` (any JSON-like value) that cannot be stored, as
 * "path: problem" (path joined with dots, "" for `value` itself), or null when all can.
 */
export function findUnstorableText(value: unknown, path: readonly (string | number)[] = []): string | null {
  const where = (p: readonly (string | number)[]) => (p.length ? `${p.join('.')}: ` : '');
  if (typeof value === 'string') {
    const problem = unstorableText(value);
    return problem ? `${where(path)}${problem}` : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const problem = unstorableText(key);
      // a key is shown escaped: printing its NUL or half surrogate would garble the message
      if (problem) return `${where(path)}the key ${JSON.stringify(key)} ${problem}`;
      const found = findUnstorableText(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}
