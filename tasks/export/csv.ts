/**
 * CSV for the tabular exports (RFC 4180): a header of column names, then one line per record with
 * nested values (flags, edit history) as JSON in their cell. A text cell that starts with = + - @
 * is prefixed with a quote so a spreadsheet shows it instead of running it as a formula.
 */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvHeader = (columns: readonly string[]) => `${columns.join(',')}\n`;

/** One record as a CSV line, in the order of `columns`. */
export const csvLine = (columns: readonly string[], record: Record<string, unknown>) =>
  `${columns.map((c) => cell(record[c])).join(',')}\n`;
