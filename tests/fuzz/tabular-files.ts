/**
 * CSV, TSV and JSON Lines files for the tabular readers (sentiment items, crowd labels, gold):
 * valid files of given columns, and hostile ones (unknown, empty or repeated header names, rows
 * with a field too many or too few, quotes left open, hostile cells, broken envelopes).
 */
import fc from 'fast-check';
import { cleanFile, enveloped, hostileString, jsonlFile } from './arbitraries';

export type Cells = Record<string, fc.Arbitrary<string>>;

/** The cell arbitrary of a column; own keys only, since a hostile name may be "constructor". */
const cellOf = (cells: Cells, column: string) =>
  Object.hasOwn(cells, column) ? cells[column]! : fc.constant('');

function csvCell(value: string, forceQuote: boolean): string {
  return forceQuote || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function delimited(header: string[], rows: string[][], tab: boolean, quoteAll: boolean): string[] {
  const line = (cells: string[]) =>
    tab ? cells.join('\t') : cells.map((c) => csvCell(c, quoteAll)).join(',');
  return [line(header), ...rows.map(line)];
}

/** Rows of `columns`, each cell from its arbitrary. */
function rowsOf(columns: string[], cells: Cells, maxRows: number): fc.Arbitrary<string[][]> {
  const row = fc.tuple(...columns.map((c) => cellOf(cells, c)));
  return fc.array(row, { minLength: 1, maxLength: maxRows });
}

/** A file every reader must accept: exactly `columns`, every cell from `cells`, CSV/TSV/JSONL. */
export function validTabularFile(columns: string[], cells: Cells, maxRows = 6): fc.Arbitrary<Uint8Array> {
  return fc.oneof(...(['csv', 'tsv', 'jsonl'] as const).map((f) => validFileOf(f, columns, cells, maxRows)));
}

/** A valid file of one format (see validTabularFile). */
export function validFileOf(
  format: 'csv' | 'tsv' | 'jsonl',
  columns: string[],
  cells: Cells,
  maxRows = 6,
): fc.Arbitrary<Uint8Array> {
  if (format === 'jsonl')
    return cleanFile(fc.record(Object.fromEntries(columns.map((c) => [c, cellOf(cells, c)]))), maxRows);
  return fc
    .tuple(rowsOf(columns, cells, maxRows), fc.boolean())
    .chain(([rows, quoteAll]) => enveloped(delimited(columns, rows, format === 'tsv', quoteAll), true));
}

/**
 * A hostile tabular file: a header drawn from `columns` plus hostile names (maybe repeated or
 * empty), rows of hostile or ordinary cells with the wrong field count now and then, an unclosed
 * quote, CRLF, BOM, gzip whole or broken; or JSON Lines records with wrong types.
 */
export function hostileTabularFile(columns: string[], cells: Cells, maxRows = 6): fc.Arbitrary<Uint8Array> {
  const name = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...columns) },
    { weight: 1, arbitrary: hostileString() },
  );
  const cell = (c: string) =>
    fc.oneof({ weight: 3, arbitrary: cellOf(cells, c) }, { weight: 1, arbitrary: hostileString() });
  const header = fc.array(name, { minLength: 1, maxLength: columns.length + 2 });
  const delimitedFile = fc
    .tuple(header, fc.boolean(), fc.boolean(), fc.nat({ max: 5 }))
    .chain(([h, tab, quoteAll, broken]) =>
      fc
        .array(
          fc.tuple(...h.map((c) => cell(c))).chain((row) =>
            // now and then a field too many or too few
            fc.constantFrom(row, row, row, row.slice(1), [...row, 'extra']),
          ),
          { maxLength: maxRows },
        )
        .map((rows) => {
          const lines = delimited(h, rows, tab, quoteAll);
          // an opening quote that never closes swallows the rest of a CSV file
          if (broken === 0 && lines.length > 1) lines[lines.length - 1] = `"${lines[lines.length - 1]}`;
          return lines;
        }),
    );
  const jsonRecord = fc.dictionary(name, fc.oneof(cell(columns[0]!), fc.jsonValue({ maxDepth: 2 })), {
    maxKeys: columns.length + 1,
  });
  return fc.oneof(
    { weight: 3, arbitrary: delimitedFile.chain((lines) => enveloped(lines, true)) },
    { weight: 2, arbitrary: delimitedFile.chain((lines) => enveloped(lines, false)) },
    { weight: 2, arbitrary: jsonlFile(jsonRecord, maxRows) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }) },
  );
}
