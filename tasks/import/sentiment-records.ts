/**
 * Rows of a CSV, TSV or JSONL file as sentiment records: which column holds the text and which the
 * label (named by the caller, or recognised from common names), and how the file's labels map onto
 * a label set. Used by the project import and by `arbiter sentiment train|eval|prelabel`, so both
 * accept the same files and report the same mistakes the same way.
 */
import { z } from 'zod';
import { UserInputError } from '../errors';
import { LABEL_COLUMNS, LANGUAGE_COLUMNS, recogniseColumn, TEXT_COLUMNS } from '../sentiment-columns.schema';

export { TEXT_COLUMNS, LABEL_COLUMNS, LANGUAGE_COLUMNS };

export const MAX_TEXT_CHARS = 20_000;

export interface SentimentColumns {
  text: string;
  /** null when the file has no labels */
  label: string | null;
  language: string | null;
}

/**
 * Picks the text, label and language columns among `available`. Asked-for columns must exist;
 * otherwise the first recognised name wins (case-insensitive). Throws a UserInputError that lists
 * the file's columns when the text column cannot be found.
 */
export function resolveColumns(
  available: readonly string[],
  requested: { text?: string | null; label?: string | null } = {},
): SentimentColumns {
  const byLower = new Map(available.map((name) => [name.toLowerCase(), name]));
  const list = available.length ? available.map((c) => `"${c}"`).join(', ') : 'none';
  const find = (names: readonly string[]) => recogniseColumn(available, names);
  const pick = (asked: string | null | undefined, names: readonly string[], field: string) => {
    if (!asked) return find(names);
    const hit = byLower.get(asked.toLowerCase());
    if (!hit)
      throw new UserInputError(`There is no column "${asked}"; the file's columns are ${list}.`, field);
    return hit;
  };
  const text = pick(requested.text, TEXT_COLUMNS, 'textColumn');
  if (!text)
    throw new UserInputError(
      `Cannot tell which column holds the text (looked for ${TEXT_COLUMNS.join(', ')}); the file's columns are ${list}. Name it with the text column option.`,
      'textColumn',
    );
  const label = pick(requested.label, LABEL_COLUMNS, 'labelColumn');
  if (label === text)
    throw new UserInputError(`The text and the label cannot both be column "${text}".`, 'labelColumn');
  return { text, label, language: find(LANGUAGE_COLUMNS) };
}

/** "0=negative,1=positive" → {"0": "negative", "1": "positive"}; throws naming the bad part. */
export function parseLabelMap(spec: string | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!spec?.trim()) return out;
  for (const part of spec.split(',')) {
    const at = part.indexOf('=');
    const from = part.slice(0, at).trim();
    const to = part.slice(at + 1).trim();
    if (at < 0 || !from || !to)
      throw new UserInputError(
        `Label map entry "${part.trim()}" is not FROM=TO (e.g. 0=negative,1=positive).`,
        'labelMap',
      );
    if (Object.hasOwn(out, from))
      throw new UserInputError(`The label map names "${from}" twice.`, 'labelMap');
    out[from] = to;
  }
  return out;
}

export type LabelResolution = { label: string | null } | { error: string };

/**
 * How a file's label values become labels of `labelSet`: through `labelMap` first, then by name
 * (case-insensitive), and the GLUE convention 0 = negative, 1 = positive when the set has those
 * two and no map is given. An empty value means "no label".
 */
export function labelResolver(labelSet: readonly string[], labelMap: Record<string, string> = {}) {
  const byLower = new Map(labelSet.map((l) => [l.toLowerCase(), l]));
  const mapped = Object.keys(labelMap).length > 0;
  for (const [from, to] of Object.entries(labelMap)) {
    if (!byLower.has(to.toLowerCase()))
      throw new UserInputError(
        `The label map sends "${from}" to "${to}", which is not one of the labels (${labelSet.join(', ')}).`,
        'labelMap',
      );
  }
  const glue = !mapped && byLower.has('negative') && byLower.has('positive');
  return (raw: unknown): LabelResolution => {
    if (raw === null || raw === undefined) return { label: null };
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean')
      return { error: 'the label must be a string or a number' };
    const value = String(raw).trim();
    if (value === '') return { label: null };
    const viaMap = Object.hasOwn(labelMap, value) ? labelMap[value]! : value;
    const hit = byLower.get(viaMap.toLowerCase());
    if (hit) return { label: hit };
    if (glue && (value === '0' || value === '1'))
      return { label: byLower.get(value === '1' ? 'positive' : 'negative')! };
    return {
      error: `label "${value.slice(0, 80)}" is not one of the labels (${labelSet.join(', ')}); map it with a label map such as ${value.slice(0, 20)}=${labelSet[0]}`,
    };
  };
}

const LanguageSchema = z.string().trim().min(2).max(16);

export interface SentimentRecord {
  text: string;
  label: string | null;
  language: string | null;
  /** the row's other fields (scalars only), kept with the item */
  meta: Record<string, unknown>;
}

/**
 * One row as a record, or an error message for its line. `resolve` maps the label; pass null to
 * keep the file's label values as they are (a file read without a label set, e.g. for training).
 */
export function toSentimentRecord(
  fields: Record<string, unknown>,
  columns: SentimentColumns,
  resolve: ((raw: unknown) => LabelResolution) | null,
): SentimentRecord | { error: string } {
  const rawText = fields[columns.text];
  if (rawText === undefined || rawText === null) return { error: `no "${columns.text}" field` };
  if (typeof rawText !== 'string') return { error: `"${columns.text}" must be a string` };
  const text = rawText.trim();
  if (!text) return { error: `"${columns.text}" is empty` };
  if (text.length > MAX_TEXT_CHARS)
    return { error: `"${columns.text}" is longer than ${MAX_TEXT_CHARS.toLocaleString('en')} characters` };
  let label: string | null = null;
  if (columns.label) {
    const raw = fields[columns.label];
    if (resolve) {
      const resolved = resolve(raw);
      if ('error' in resolved) return { error: `${columns.label}: ${resolved.error}` };
      label = resolved.label;
    } else if (raw !== null && raw !== undefined && String(raw).trim() !== '') {
      label = String(raw).trim().slice(0, 64);
    }
  }
  let language: string | null = null;
  if (columns.language && fields[columns.language] !== undefined && fields[columns.language] !== '') {
    const parsed = LanguageSchema.safeParse(fields[columns.language]);
    if (!parsed.success) return { error: `${columns.language}: use a language code such as "en" or "pt-BR"` };
    language = parsed.data;
  }
  const meta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key === columns.text || key === columns.label || key === columns.language) continue;
    if (key === 'meta' && value && typeof value === 'object' && !Array.isArray(value))
      Object.assign(meta, value);
    else if (value === null || ['string', 'number', 'boolean'].includes(typeof value))
      meta[key] = typeof value === 'string' ? value.slice(0, 500) : value;
  }
  return { text, label, language, meta };
}
