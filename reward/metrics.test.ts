import { describe, expect, it } from 'vitest';
import { accuracyByUncertainty, expectedCalibrationError, pairMetrics, type Prediction } from './metrics';
import { createRng } from './rng';

describe('pair metrics', () => {
  it('gives a calibrated predictor a small ECE and an overconfident one a large ECE', () => {
    const rng = createRng(1);
    const calibrated: Prediction[] = [];
    const overconfident: Prediction[] = [];
    for (let i = 0; i < 20_000; i++) {
      const p = 0.5 + rng() * 0.5;
      const target = rng() < p ? 1 : 0;
      calibrated.push({ probability: p, uncertainty: 1 - p, target });
      overconfident.push({ probability: 0.99, uncertainty: 0, target });
    }
    expect(expectedCalibrationError(calibrated)).toBeLessThan(0.02);
    expect(expectedCalibrationError(overconfident)).toBeGreaterThan(0.2);
  });

  it('reports accuracy per uncertainty quintile, most certain first, ties excluded', () => {
    const predictions: Prediction[] = Array.from({ length: 10 }, (_, i) => ({
      probability: 0.9,
      uncertainty: i,
      target: i < 2 ? 1 : i < 4 ? 0.5 : 0,
    }));
    // decided: 0,1 (right), 4..9 (wrong) → 8 pairs in 5 groups of sizes 1,2,1,2,2
    expect(accuracyByUncertainty(predictions)).toEqual([1, 0.5, 0, 0, 0]);
    const m = pairMetrics(predictions);
    expect(m.decided).toBe(8);
    expect(m.accuracy).toBeCloseTo(0.25);
  });
});
