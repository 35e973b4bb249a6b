/**
 * Limited-memory BFGS for smooth convex objectives (the L2-regularized Bradley-Terry loss).
 * Deterministic: no randomness, fixed iteration order, so the same inputs give the same weights.
 */

/** Writes the gradient at `x` into `grad` and returns the objective value. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  maxIterations: number;
  /** stop when the gradient's max-norm falls below this */
  gradientTolerance: number;
  /** stop when the relative decrease of the objective over an iteration falls below this */
  relativeTolerance: number;
  history: number;
}

export const DEFAULT_LBFGS: LbfgsOptions = {
  maxIterations: 200,
  gradientTolerance: 1e-6,
  relativeTolerance: 1e-7,
  history: 8,
};

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  evaluations: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Minimizes `f` from `x0` (not modified). Backtracking (Armijo) line search. */
export function minimize(f: Objective, x0: Float64Array, options: Partial<LbfgsOptions> = {}): LbfgsResult {
  const opt = { ...DEFAULT_LBFGS, ...options };
  const n = x0.length;
  let x = Float64Array.from(x0);
  let grad = new Float64Array(n);
  let value = f(x, grad);
  let evaluations = 1;
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const direction = new Float64Array(n);
  const alpha = new Float64Array(opt.history);
  let iterations = 0;
  const nextX = new Float64Array(n);
  let nextGrad = new Float64Array(n);

  while (iterations < opt.maxIterations && maxAbs(grad) > opt.gradientTolerance) {
    iterations++;
    // two-loop recursion: direction = -H·grad
    direction.set(grad);
    for (let i = s.length - 1; i >= 0; i--) {
      alpha[i] = rho[i]! * dot(s[i]!, direction);
      const yi = y[i]!;
      for (let j = 0; j < n; j++) direction[j]! -= alpha[i]! * yi[j]!;
    }
    const gamma = s.length
      ? dot(s[s.length - 1]!, y[y.length - 1]!) / dot(y[y.length - 1]!, y[y.length - 1]!)
      : 1;
    for (let j = 0; j < n; j++) direction[j]! *= gamma;
    for (let i = 0; i < s.length; i++) {
      const beta = rho[i]! * dot(y[i]!, direction);
      const si = s[i]!;
      for (let j = 0; j < n; j++) direction[j]! += si[j]! * (alpha[i]! - beta);
    }
    for (let j = 0; j < n; j++) direction[j] = -direction[j]!;
    let slope = dot(grad, direction);
    if (slope >= 0) {
      // not a descent direction (numerical trouble): restart from steepest descent
      s.length = 0;
      y.length = 0;
      rho.length = 0;
      for (let j = 0; j < n; j++) direction[j] = -grad[j]!;
      slope = dot(grad, direction);
    }
    let step = iterations === 1 && s.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    let nextValue = Infinity;
    for (let tries = 0; tries < 30; tries++) {
      for (let j = 0; j < n; j++) nextX[j] = x[j]! + step * direction[j]!;
      nextValue = f(nextX, nextGrad);
      evaluations++;
      if (nextValue <= value + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(nextValue < value)) break; // the line search found no decrease: converged as far as float64 allows
    const sk = new Float64Array(n);
    const yk = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      sk[j] = nextX[j]! - x[j]!;
      yk[j] = nextGrad[j]! - grad[j]!;
    }
    const sy = dot(sk, yk);
    if (sy > 1e-12) {
      if (s.length === opt.history) {
        s.shift();
        y.shift();
        rho.shift();
      }
      s.push(sk);
      y.push(yk);
      rho.push(1 / sy);
    }
    const decrease = (value - nextValue) / Math.max(1e-12, Math.abs(value));
    x = Float64Array.from(nextX);
    [grad, nextGrad] = [nextGrad, grad];
    value = nextValue;
    if (decrease < opt.relativeTolerance) break;
  }
  return { x, value, iterations, evaluations };
}
