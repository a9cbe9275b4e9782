// Room IR simulation on one core, warm process: CPU time (process.cpuUsage,
// best of 7) to prepare a binaural scene with 5 noise sources (6 IRs: the
// talker and each noise source; RT60 1.0 s in its default room, 16 kHz) and to
// simulate one 2 s IR per receiver kind in the same room. The first call of
// each is left out (HRTF load, FFT setups). Target: the prepare <= 350 ms.
// Run: npm run bench -- room
import { validateCondition } from '../../src/scene/condition.ts';
import { openBanks } from '../../src/scene/render.ts';
import { prepareScene } from '../../src/scene/prepare.ts';
import { defaultRoomFor, simulateRir, type ReceiverSpec } from '../../src/scene/room/index.ts';
import type { BenchReport } from './report.ts';

const SR = 16000;
const RUNS = 7;

async function bestCpuMs(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  let best = Infinity;
  for (let r = 0; r < RUNS; r++) {
    const before = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

export default async function run(): Promise<BenchReport> {
  const banks = await openBanks();
  const condition = validateCondition({ snrDb: 5, room: { rt60S: 1.0 }, receiver: 'binaural', noise: { sources: 5 }, seed: 0 });
  const prepareMs = await bestCpuMs(() => prepareScene(condition, banks, SR));
  const room = { dimensionsM: defaultRoomFor(1.0), rt60S: 1.0 };
  const one = (receiver: ReceiverSpec) => () => simulateRir({ room, receiver, source: { azimuthDeg: 30, elevationDeg: 0, distanceM: 1.5 }, sampleRateHz: SR, seed: 1, lengthS: 2 });
  const kinds: [string, ReceiverSpec][] = [
    ['binaural', { kind: 'binaural' }],
    ['foa', { kind: 'foa' }],
    ['mono', { kind: 'mono' }],
    ['array of 4 microphones', { kind: 'array', micsM: [[0.05, 0, 0], [-0.05, 0, 0], [0, 0.05, 0], [0, -0.05, 0]] }],
  ];
  const rows = [{ metric: 'prepare a binaural scene, RT60 1.0 s, 5 noise sources (6 IRs)', value: prepareMs, unit: 'ms CPU', target: '<= 350 ms' }];
  for (const [name, receiver] of kinds) rows.push({ metric: `one 2 s ${name} IR`, value: await bestCpuMs(one(receiver)), unit: 'ms CPU', target: '' });
  return { name: `Room IR simulation, ${SR / 1000} kHz, one core, warm process (best of ${RUNS})`, rows };
}
