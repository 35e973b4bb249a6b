/** How the calibration screens write figures and flags (shared by the dashboard, drill-down and CSV export). */
import type { QualityFlag } from '../../tasks/quality/profile';

export const FLAG_TEXT: Record<QualityFlag, { label: string; why: string }> = {
  'gold-accuracy': {
    label: 'gold accuracy',
    why: 'Even the upper end of the gold-accuracy interval is under the project threshold.',
  },
  'position-bias': {
    label: 'position bias',
    why: 'Chooses the left (or right) response far more often than chance (binomial test p < 0.01, a lean of 10 points or more).',
  },
  'length-bias': {
    label: 'length bias',
    why: 'Prefers the longer response at least 15 points more often than the others did on the same pairs.',
  },
  inconsistent: {
    label: 'inconsistent',
    why: 'Changes their answer on 30% or more of the repeated pairs (sides swapped).',
  },
};

/** A share as a whole percentage; a dash when there is no figure (not enough data). */
export const percent = (share: number | null | undefined) =>
  share === null || share === undefined || Number.isNaN(share) ? '–' : `${Math.round(share * 100)}%`;

/** A number with `digits` decimals; a dash when there is none. */
export const fixed = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);

/** The 7-point scale in canonical order (A on the left), as leads read it on pair pages. */
export const AB_SCALE = [
  { value: -3, label: 'A much better' },
  { value: -2, label: 'A better' },
  { value: -1, label: 'A slightly better' },
  { value: 0, label: 'Tie' },
  { value: 1, label: 'B slightly better' },
  { value: 2, label: 'B better' },
  { value: 3, label: 'B much better' },
] as const;

export const abScoreText = (score: number) => AB_SCALE.find((s) => s.value === score)?.label ?? String(score);

/** A p-value as people read it: three decimals, or "< 0.001". */
export const pValueText = (p: number | null | undefined) =>
  p === null || p === undefined || Number.isNaN(p) ? '–' : p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;

/** How long a computation took: milliseconds under a second, seconds above. */
export const durationText = (seconds: number | null | undefined) =>
  seconds === null || seconds === undefined
    ? '–'
    : seconds < 1
      ? `${Math.max(1, Math.round(seconds * 1000))} ms`
      : `${seconds.toFixed(1)} s`;
