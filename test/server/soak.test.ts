import { describe, expect, it } from 'vitest';
import { runSoak, type AttackFigures } from './soakHarness.ts';

// The hardening review's attack table against a real `earshot serve` (the compiled CLI, as `npm test`
// builds it), each attack beside a victim streaming one clip in real time. The goals are the review's:
// the victim keeps >= 90% of its results with p99 latency <= 250 ms, /api/health answers within
// 100 ms throughout, and RSS comes back within 10% of its level before the attack.
// `npm run bench` (test/bench/soak.bench.ts) reports the same figures with longer attacks.

const ATTACK_S = 4;
const SETTLE_S = 8;

describe('soak: every attack of the review beside a victim stream', () => {
  it('the victim keeps its results and latency, /api/health stays quick, memory comes back', async () => {
    const rows = await runSoak({ attackS: ATTACK_S, settleS: SETTLE_S });
    const failures = rows.flatMap((r: AttackFigures) => [
      ...(r.victimShare >= 0.9 ? [] : [`${r.attack}: the victim kept ${(100 * r.victimShare).toFixed(1)}% of its results (goal >= 90%)`]),
      ...(r.victimP99Ms <= 250 ? [] : [`${r.attack}: victim p99 latency ${r.victimP99Ms.toFixed(0)} ms (goal <= 250 ms)`]),
      ...(r.healthMaxMs <= 100 ? [] : [`${r.attack}: /api/health took ${r.healthMaxMs.toFixed(0)} ms (goal <= 100 ms)`]),
      ...(r.rssAfterMb <= 1.1 * r.rssBeforeMb ? [] : [`${r.attack}: RSS ${r.rssBeforeMb.toFixed(0)} -> ${r.rssAfterMb.toFixed(0)} MB (goal within 10%)`]),
    ]);
    expect(rows).toHaveLength(8);
    expect(failures).toEqual([]);
  }, 240_000);
});
