import { describe, expect, it } from 'vitest';
import { auditDraw, EXPLORATION_SHARE, holdoutDraw, itemPriority, routeFor } from './sentiment-routing';
import { SENTIMENT_DEFAULTS, sentimentSettings } from './sentiment-settings';
import { normalizedEntropy, seededDraw } from './selection';

const settings = { ...SENTIMENT_DEFAULTS, autoAcceptThreshold: 0.9, auditRate: 0.05 };
const model = (p: number[]) => ({ probabilities: p, source: 'model' as const });
const keys = Array.from({ length: 10_000 }, (_, i) => `hash-${i}`);

describe('routing', () => {
  it('sends low-confidence, cold-start and held-out items to people and accepts the rest', () => {
    const item = { key: 'a', isHoldout: false };
    expect(routeFor(item, model([0.85, 0.1, 0.05]), settings, 1)).toBe('human');
    expect(routeFor(item, { probabilities: [0.95, 0.03, 0.02], source: 'lexicon' }, settings, 1)).toBe(
      'human',
    );
    // a pretrained model however sure: nothing has measured it on this project yet
    expect(routeFor(item, { probabilities: [0.999, 0.001, 0], source: 'pretrained' }, settings, 1)).toBe(
      'human',
    );
    expect(routeFor({ key: 'a', isHoldout: true }, model([0.99, 0.01, 0]), settings, 1)).toBe('human');
    expect(routeFor(item, null, settings, 1)).toBe('human');
    const accepted = keys.map((key) => routeFor({ key, isHoldout: false }, model([0.95, 0.05]), settings, 1));
    expect(new Set(accepted)).toEqual(new Set(['auto', 'audit']));
  });

  it('draws the audit share at random, the same way every time', () => {
    const routes = keys.map((key) => routeFor({ key, isHoldout: false }, model([0.97, 0.03]), settings, 1));
    const audited = routes.filter((r) => r === 'audit').length / routes.length;
    // 5% ± about 3 standard errors of 10,000 draws
    expect(audited).toBeGreaterThan(0.043);
    expect(audited).toBeLessThan(0.057);
    expect(keys.map((key) => routeFor({ key, isHoldout: false }, model([0.97, 0.03]), settings, 1))).toEqual(
      routes,
    );
    // audit and held-out draws are independent
    const both = keys.filter((k) => auditDraw(1, k) < 0.1 && holdoutDraw(1, k) < 0.1).length;
    expect(both / keys.length).toBeGreaterThan(0.006);
    expect(both / keys.length).toBeLessThan(0.014);
  });

  it('orders the human queue: audits, then held-out items, then the most uncertain, with random items mixed in', () => {
    const certain = model([0.99, 0.01]);
    const unsure = model([0.55, 0.45]);
    expect(itemPriority({ key: 'x', isHoldout: false }, 'audit', certain, 1)).toBeGreaterThan(3);
    expect(itemPriority({ key: 'x', isHoldout: true }, 'human', certain, 1)).toBeGreaterThan(2);
    const exploring = keys.filter((k) => seededDraw('explore:1', k) < EXPLORATION_SHARE);
    const ranking = keys.filter((k) => !exploring.includes(k));
    for (const key of ranking.slice(0, 50))
      expect(itemPriority({ key, isHoldout: false }, 'human', unsure, 1)).toBeGreaterThan(
        itemPriority({ key, isHoldout: false }, 'human', certain, 1),
      );
    expect(exploring.length / keys.length).toBeCloseTo(EXPLORATION_SHARE, 1);
  });

  it('measures uncertainty as normalized entropy', () => {
    expect(normalizedEntropy([1, 0, 0])).toBe(0);
    expect(normalizedEntropy([1 / 3, 1 / 3, 1 / 3])).toBeCloseTo(1, 12);
    expect(normalizedEntropy([0.5, 0.5])).toBeCloseTo(1, 12);
    expect(normalizedEntropy([0.9, 0.1])).toBeCloseTo(0.469, 3);
  });
});

describe('sentiment settings', () => {
  it('fills defaults, ignores stored values that no longer validate, and keeps the valid ones', () => {
    expect(sentimentSettings({})).toEqual(SENTIMENT_DEFAULTS);
    expect(
      sentimentSettings({ sentiment: { autoAcceptThreshold: 0.95, auditRate: 7, blindPrelabels: true } }),
    ).toEqual({
      ...SENTIMENT_DEFAULTS,
      autoAcceptThreshold: 0.95,
      blindPrelabels: true,
    });
  });
});
