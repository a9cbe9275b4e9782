import { BOOTSTRAP_RESAMPLES, bootstrap } from './stats.ts';
import type { WakeWordMetrics, WakeWordRecord } from './types.ts';

/** A wake-word run over the test clips: clip scores per class (a head's class holds its max score) and the threshold crossings. */
export interface WakeRun {
  probabilities: number[][];
  wakeword?: WakeWordRecord;
}

/**
 * Per head, the wake-word figures of pooled runs (seeds) with 95% bootstrap
 * intervals that resample seeds and clips (src/sweep/stats.ts `bootstrap`):
 * positives are the clips of the head's class, negatives those of classes
 * that name no head. Detection rate: share of positive clips whose score
 * (max over windows) reaches `threshold`; false accepts: threshold crossings
 * per negative clip and per hour of negative audio; AUC: the chance that a
 * positive clip outscores a negative one (ties count half). A figure without
 * the clips it needs is NaN (null in JSON, empty in CSV).
 */
export function estimateWakeWord(runs: WakeRun[], labels: ArrayLike<number>, classes: string[], heads: string[], threshold: number, label: string, resamples = BOOTSTRAP_RESAMPLES): WakeWordMetrics[] {
  const headClasses = new Set(heads.map((h) => classes.indexOf(h)));
  const n = labels.length;
  const negatives = Array.from({ length: n }, (_, i) => i).filter((i) => !headClasses.has(labels[i]));
  const durationS = runs.find((r) => r.wakeword)?.wakeword?.durationS ?? new Array<number>(n).fill(0);
  return heads.map((head, h) => {
    const c = classes.indexOf(head);
    const positives = Array.from({ length: n }, (_, i) => i).filter((i) => labels[i] === c);
    const score = (r: number, i: number) => runs[r].probabilities[i][c];
    const accepts = (r: number, i: number) => runs[r].wakeword?.accepts[i][h] ?? 0;
    // (run, clip, positive?) by score, lowest first, for the AUC's rank sum.
    const ranked: [number, number, boolean, number][] = [];
    runs.forEach((_, r) => {
      for (const i of positives) ranked.push([r, i, true, score(r, i)]);
      for (const i of negatives) ranked.push([r, i, false, score(r, i)]);
    });
    ranked.sort((a, b) => a[3] - b[3]);
    const e = bootstrap(runs.length, n, `${label}|${head}`, resamples, (runW, clipW) => {
      let pos = 0;
      let detected = 0;
      let neg = 0;
      let falseAccepts = 0;
      let negSeconds = 0;
      for (let r = 0; r < runs.length; r++) {
        if (runW[r] === 0) continue;
        for (const i of positives) {
          const w = runW[r] * clipW[i];
          pos += w;
          if (score(r, i) >= threshold) detected += w;
        }
        for (const i of negatives) {
          const w = runW[r] * clipW[i];
          neg += w;
          falseAccepts += w * accepts(r, i);
          negSeconds += w * durationS[i];
        }
      }
      let below = 0;
      let wins = 0;
      for (let k = 0; k < ranked.length; ) {
        let tiePos = 0;
        let tieNeg = 0;
        const v = ranked[k][3];
        for (; k < ranked.length && ranked[k][3] === v; k++) {
          const w = runW[ranked[k][0]] * clipW[ranked[k][1]];
          if (ranked[k][2]) tiePos += w;
          else tieNeg += w;
        }
        wins += tiePos * (below + 0.5 * tieNeg);
        below += tieNeg;
      }
      return {
        detectionRate: pos > 0 ? detected / pos : Number.NaN,
        falseAcceptsPerClip: neg > 0 ? falseAccepts / neg : Number.NaN,
        falseAcceptsPerHour: negSeconds > 0 ? (3600 * falseAccepts) / negSeconds : Number.NaN,
        auc: pos > 0 && neg > 0 ? wins / (pos * neg) : Number.NaN,
      };
    });
    const negativeHours = negatives.reduce((t, i) => t + durationS[i], 0) / 3600;
    return { head, threshold, positives: positives.length, negatives: negatives.length, negativeHours, detectionRate: e.detectionRate, falseAcceptsPerClip: e.falseAcceptsPerClip, falseAcceptsPerHour: e.falseAcceptsPerHour, auc: e.auc };
  });
}
