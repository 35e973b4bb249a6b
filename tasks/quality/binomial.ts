/**
 * The exact two-sided binomial test, in log space so it holds for hundreds of thousands of trials
 * (the position-bias test of the annotator profile).
 */

const RELATIVE_TOLERANCE = Math.log1p(1e-7);
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln(k!) by the Lanczos approximation (g = 7): ~15 significant digits for every k ≥ 0. */
function logFactorial(k: number): number {
  // Lanczos gives Γ(x + 1); k! = Γ(k + 1), so x = k.
  let a = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (k + i);
  const t = k + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (k + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Exact two-sided binomial test: the probability, under Binomial(n, p), of an outcome no more
 * likely than `successes` (the "sum of probabilities ≤ observed" rule, as R's binom.test and
 * SciPy's binomtest, with the same 1e-7 relative slack so the mirror-image tail counts despite
 * rounding). Works in log space, so n in the hundreds of thousands neither overflows nor loses
 * the tails; a p-value below ~1e-308 comes back as 0. O(n). Throws a RangeError on counts that
 * are not integers with 0 ≤ successes ≤ n, or p outside [0, 1]; n = 0 gives 1.
 */
export function binomialTwoSidedPValue(successes: number, n: number, p = 0.5): number {
  if (!Number.isInteger(n) || !Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`binomial test needs integers 0 ≤ successes ≤ n, got ${successes} of ${n}`);
  }
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial test needs 0 ≤ p ≤ 1, got ${p}`);
  if (p === 0) return successes === 0 ? 1 : 0;
  if (p === 1) return successes === n ? 1 : 0;
  const lnP = Math.log(p);
  const lnQ = Math.log1p(-p);
  const lnNFact = logFactorial(n);
  const logPmf = (k: number) => lnNFact - logFactorial(k) - logFactorial(n - k) + k * lnP + (n - k) * lnQ;
  const observed = logPmf(successes);
  // Sum relative to the observed term, so the sum is ≥ 1 and never underflows on its own.
  let sum = 0;
  for (let k = 0; k <= n; k++) {
    const l = logPmf(k);
    if (l <= observed + RELATIVE_TOLERANCE) sum += Math.exp(l - observed);
  }
  return Math.min(1, Math.exp(observed + Math.log(sum)));
}
