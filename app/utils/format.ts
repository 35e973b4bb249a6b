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
