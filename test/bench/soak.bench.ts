// The hardening review's attack table against a real `earshot serve`, each attack beside a victim stream
// (test/server/soakHarness.ts): the victim's share of its real-time results, its p99 latency (window end to
// arrival on its client), the slowest /api/health answer, and RSS before and after. The baseline of each
// row is the same figure in the same run with no attack (a quiet phase first).
// EARSHOT_BENCH_SOAK_S sets each attack's length (default 10 s).
// Run: npx tsx test/bench/run.ts soak
import { runSoak } from '../server/soakHarness.ts';
import type { BenchReport, BenchRow } from './report.ts';

const ATTACK_S = Number(process.env.EARSHOT_BENCH_SOAK_S ?? 10);

export default async function run(): Promise<BenchReport> {
  const rows = await runSoak({ attackS: ATTACK_S, settleS: 15, quietFirst: true, log: (l) => process.stderr.write(`${l}\n`) });
  const quiet = rows[0];
  const out: BenchRow[] = [];
  for (const r of rows) {
    out.push(
      { metric: `${r.attack}: victim's results kept`, value: 100 * r.victimShare, unit: '%', baseline: 100 * quiet.victimShare, ratio: r.victimShare / quiet.victimShare, target: '>= 90%' },
      { metric: `${r.attack}: victim p99 latency`, value: r.victimP99Ms, unit: 'ms', baseline: quiet.victimP99Ms, ratio: r.victimP99Ms / quiet.victimP99Ms, target: '<= 250 ms' },
      { metric: `${r.attack}: /api/health slowest`, value: r.healthMaxMs, unit: 'ms', baseline: quiet.healthMaxMs, ratio: r.healthMaxMs / quiet.healthMaxMs, target: '<= 100 ms' },
      { metric: `${r.attack}: RSS after / before`, value: r.rssAfterMb, unit: 'MB', baseline: r.rssBeforeMb, ratio: r.rssAfterMb / r.rssBeforeMb, target: '<= 1.1' },
    );
  }
  return { name: `soak: each attack for ${ATTACK_S} s beside a real-time victim stream (earshot serve on loopback)`, rows: out };
}
