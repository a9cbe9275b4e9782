/**
 * Classification metrics over probe outputs. `probabilities[i]` holds one
 * score per class for example i; `labels[i]` is its true class index.
 */

export interface ClassificationMetrics {
  top1: number;
  macroF1: number;
  /** Mean over classes of one-vs-rest average precision (classes with no positives are skipped). */
  mAP: number;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  examples: number;
}

export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return best;
}

/** Top-1 accuracy, macro-F1 (a class never predicted nor present is left out), mAP and the confusion matrix. */
export function classificationMetrics(probabilities: ArrayLike<number>[], labels: ArrayLike<number>, classes: number): ClassificationMetrics {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const predicted = argmax(probabilities[i]);
    confusion[labels[i]][predicted]++;
    if (predicted === labels[i]) correct++;
  }
  const f1s: number[] = [];
  const aps: number[] = [];
  for (let c = 0; c < classes; c++) {
    const tp = confusion[c][c];
    const actual = confusion[c].reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[c], 0);
    if (actual + predicted > 0) f1s.push((2 * tp) / (actual + predicted));
    if (actual > 0) aps.push(averagePrecision(probabilities.map((p) => p[c]), Array.from(labels, (l) => l === c)));
  }
  const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  return { top1: labels.length === 0 ? 0 : correct / labels.length, macroF1: mean(f1s), mAP: mean(aps), confusion, examples: labels.length };
}

/**
 * Average precision of one class (sklearn's definition: Σ (R_k − R_{k−1}) · P_k over
 * the ranking by score; tied scores are taken as one threshold).
 */
export function averagePrecision(scores: number[], positive: boolean[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]);
  const total = positive.filter(Boolean).length;
  if (total === 0) return 0;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let lastRecall = 0;
  for (let k = 0; k < order.length; k++) {
    seen++;
    if (positive[order[k][1]]) tp++;
    if (k + 1 < order.length && order[k + 1][0] === order[k][0]) continue;
    const recall = tp / total;
    ap += (recall - lastRecall) * (tp / seen);
    lastRecall = recall;
  }
  return ap;
}
