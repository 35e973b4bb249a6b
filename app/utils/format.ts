/**
 * Dates as "2026-11-22 14:05 UTC": the same on the server and in the browser (no hydration
 * mismatch between time zones), sortable, and unambiguous for teams spread over time zones.
 */
export function formatDateTime(value: string | Date | null | undefined): string {
  if (!value) return '—';
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return '—';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en');
}

/** 0.8123 → "81.2%"; null, undefined and NaN → "—". */
export function formatPercent(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  return `${(share * 100).toFixed(digits)}%`;
}

/** A plain number with a fixed number of decimals; null, undefined and NaN → "—". */
export function formatNumber(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(digits);
}
