/**
 * The column names a sentiment file's text, label and language are recognised by, shared by the
 * server's import and the browser's upload preview (so the preview picks what the import will).
 * No imports: this module must stay importable from browser code.
 */

/** Column names recognised as the text, in order of preference. */
export const TEXT_COLUMNS = [
  'text',
  'sentence',
  'content',
  'tweet_body',
  'tweet',
  'review',
  'body',
  'comment',
  'message',
];
/** Column names recognised as the label, in order of preference. */
export const LABEL_COLUMNS = ['label', 'sentiment', 'emotion', 'polarity', 'class', 'gold_label', 'gold'];
/** Column names recognised as the text's language. */
export const LANGUAGE_COLUMNS = ['language', 'lang'];

/** The first of `columns` that `names` recognises (case-insensitive), in the order of `names`; null if none. */
export function recogniseColumn(columns: readonly string[], names: readonly string[]): string | null {
  const byLower = new Map(columns.map((c) => [c.toLowerCase(), c]));
  for (const name of names) {
    const hit = byLower.get(name);
    if (hit) return hit;
  }
  return null;
}
