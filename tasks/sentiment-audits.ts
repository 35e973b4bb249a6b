/**
 * What the audits say about auto-accepted labels: the error rate per confidence band with a Wilson
 * score interval, overall, whether it exceeds the project's tolerance, and a threshold that the
 * audits so far support. Pure functions over audit outcomes; db/queries/sentiment.ts reads them.
 */

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

/**
 * The Wilson score interval for a binomial proportion (Wilson, 1927): `successes` of `n`, at the
 * normal quantile `z` (1.96 for 95%). Unlike the normal approximation it stays inside [0, 1] and
 * behaves at 0 and n successes, which is where audits of a good model live.
 */
export function wilsonInterval(successes: number, n: number, z = 1.96): Interval {
  if (n <= 0) return { estimate: 0, low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface AuditOutcome {
  /** the accepted pre-label's confidence */
  confidence: number;
  /** whether the auditor chose the same label */
  agrees: boolean;
}

export interface BandEstimate {
  from: number;
  to: number;
  audited: number;
  wrong: number;
  /** error rate among the audited items of the band, with its 95% Wilson interval */
  errorRate: Interval;
  /** auto-accepted items in the band: how many labels the estimate speaks for */
  accepted: number;
}

export interface AuditEstimate {
  threshold: number;
  tolerance: number;
  bands: BandEstimate[];
  overall: { audited: number; wrong: number; errorRate: Interval; accepted: number };
  /** 'exceeds': even the interval's low end is above tolerance; 'may-exceed': only the estimate is */
  status: 'ok' | 'may-exceed' | 'exceeds' | 'no-audits';
  /** a threshold the audits support, when the current one is too low */
  suggestedThreshold: number | null;
  /** why the suggestion is what it is, in a sentence */
  suggestion: string | null;
}

/** Band edges from the threshold up: the usual steps above it, ending at 1. */
export function bandEdges(threshold: number): number[] {
  const steps = [0.8, 0.9, 0.95, 0.98, 0.99].filter((e) => e > threshold + 1e-9);
  return [threshold, ...steps, 1];
}

const CANDIDATES = [0.8, 0.85, 0.9, 0.92, 0.95, 0.97, 0.98, 0.99, 0.995];
/** fewer audits than this above a threshold say too little to recommend it */
const MIN_AUDITS_FOR_SUGGESTION = 10;

/**
 * Estimates from audit outcomes and the confidences of all auto-accepted items (audited or not).
 * Audits are a uniform random sample of auto-accepted items, so each band's audited share is an
 * unbiased estimate of the band's error rate.
 */
export function estimateAuditErrors(
  outcomes: readonly AuditOutcome[],
  acceptedConfidences: readonly number[],
  settings: { threshold: number; tolerance: number },
): AuditEstimate {
  const { threshold, tolerance } = settings;
  const edges = bandEdges(threshold);
  const inBand = (c: number, i: number) =>
    c >= edges[i]! && (c < edges[i + 1]! || (i === edges.length - 2 && c <= 1));
  const bands: BandEstimate[] = [];
  for (let i = 0; i < edges.length - 1; i++) {
    const audits = outcomes.filter((o) => inBand(o.confidence, i));
    const wrong = audits.filter((o) => !o.agrees).length;
    bands.push({
      from: edges[i]!,
      to: edges[i + 1]!,
      audited: audits.length,
      wrong,
      errorRate: wilsonInterval(wrong, audits.length),
      accepted: acceptedConfidences.filter((c) => inBand(c, i)).length,
    });
  }
  const relevant = outcomes.filter((o) => o.confidence >= threshold);
  const wrong = relevant.filter((o) => !o.agrees).length;
  const errorRate = wilsonInterval(wrong, relevant.length);
  const status: AuditEstimate['status'] =
    relevant.length === 0
      ? 'no-audits'
      : errorRate.low > tolerance
        ? 'exceeds'
        : errorRate.estimate > tolerance
          ? 'may-exceed'
          : 'ok';
  let suggestedThreshold: number | null = null;
  let suggestion: string | null = null;
  if (status === 'exceeds' || status === 'may-exceed') {
    for (const t of CANDIDATES.filter((c) => c > threshold)) {
      const above = outcomes.filter((o) => o.confidence >= t);
      if (above.length < MIN_AUDITS_FOR_SUGGESTION) break;
      const rate = above.filter((o) => !o.agrees).length / above.length;
      if (rate <= tolerance) {
        suggestedThreshold = t;
        suggestion = `At ${t} the ${above.length} audits above it show ${(rate * 100).toFixed(1)}% wrong, within the ${(tolerance * 100).toFixed(1)}% tolerance.`;
        break;
      }
    }
    if (suggestedThreshold === null) {
      const higher = CANDIDATES.find((c) => c > threshold) ?? 1;
      suggestedThreshold = higher;
      suggestion = `No higher threshold has ${MIN_AUDITS_FOR_SUGGESTION} or more audits within tolerance yet; raise it to ${higher} and let more audits come in.`;
    }
  }
  return {
    threshold,
    tolerance,
    bands,
    overall: {
      audited: relevant.length,
      wrong,
      errorRate,
      accepted: acceptedConfidences.filter((c) => c >= threshold).length,
    },
    status,
    suggestedThreshold,
    suggestion,
  };
}
