import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitSoftmax, predictSoftmax } from '../../src/probes/softmax.ts';
import { classificationMetrics } from '../../src/probes/metrics.ts';
import { predictProbe, trainProbe } from '../../src/probes/linearProbe.ts';
import { stratifiedSplit } from '../../src/probes/split.ts';
import { createRng } from '../../src/random.ts';

// Made by test/fixtures/probes/make_fixtures.py with scikit-learn.
const ref = JSON.parse(readFileSync(new URL('../fixtures/probes/reference.json', import.meta.url), 'utf8'));

describe('softmax regression', () => {
  it('matches scikit-learn multinomial logistic regression at the same L2', () => {
    const x = (ref.logistic.x as number[][]).map((r) => Float64Array.from(r));
    const model = fitSoftmax(x, Int32Array.from(ref.logistic.y), 3, { l2: ref.logistic.l2, iterations: 3000 });
    let worst = 0;
    x.forEach((row, i) => {
      const p = predictSoftmax(model, row);
      p.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - ref.logistic.probabilities[i][c]))));
    });
    expect(worst).toBeLessThan(1e-3);
  });
});

describe('classificationMetrics', () => {
  it('matches scikit-learn accuracy, macro-F1, mAP and confusion matrix', () => {
    const m = classificationMetrics(ref.metrics.scores, ref.metrics.labels, 4);
    expect(m.top1).toBeCloseTo(ref.metrics.top1, 12);
    expect(m.macroF1).toBeCloseTo(ref.metrics.macroF1, 12);
    expect(m.mAP).toBeCloseTo(ref.metrics.mAP, 12);
    expect(m.confusion).toEqual(ref.metrics.confusion);
  });
});

describe('trainProbe', () => {
  const rng = createRng(3);
  const centres = [0, 1, 2].map(() => Array.from({ length: 8 }, () => rng.normal() * 2));
  const features: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 90; i++) {
    const c = i % 3;
    features.push(Float32Array.from(centres[c], (v) => v + rng.normal()));
    labels.push(c);
  }

  it('separates separable classes, picks L2 on a validation split and is reproducible', () => {
    const a = trainProbe(features, Int32Array.from(labels), 3, { seed: 1 });
    const b = trainProbe(features, Int32Array.from(labels), 3, { seed: 1 });
    expect(Array.from(a.model.weights)).toEqual(Array.from(b.model.weights));
    expect(a.validation.map((v) => v.l2)).toHaveLength(6);
    const probs = features.map((f) => predictProbe(a, f));
    expect(classificationMetrics(probs, labels, 3).top1).toBeGreaterThan(0.95);
  });

  it('handles a constant embedding dimension without NaN', () => {
    const withConstant = features.map((f) => Float32Array.from([...f, 5]));
    const p = trainProbe(withConstant, Int32Array.from(labels), 3, { seed: 2 });
    expect(predictProbe(p, withConstant[0]).every(Number.isFinite)).toBe(true);
  });
});

describe('stratifiedSplit', () => {
  it('holds out a share of every class and never a class of one', () => {
    const labels = [0, 0, 0, 0, 1, 1, 1, 1, 2];
    const { kept, heldOut } = stratifiedSplit(labels, 0.25, createRng(1));
    expect(heldOut.map((i) => labels[i]).sort()).toEqual([0, 1]);
    expect([...kept, ...heldOut].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    expect(stratifiedSplit(labels, 0.25, createRng(1))).toEqual({ kept, heldOut });
    expect(stratifiedSplit(labels, 0, createRng(1)).heldOut).toEqual([]);
  });
});
