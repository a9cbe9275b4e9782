// The checks behind `npm run fidelity`: each renders with earshot's own code paths and
// measures with src/dsp/roomMetrics.ts (itself checked against scipy in test/scene/room).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { filterZeroPhase } from '../../src/dsp/zeroPhase.ts';
import { lagOf } from '../helpers/audio.ts';
import { KEMAR_SOFA_PATH, readSofa } from '../../src/scene/room/hrtf.ts';
import { envelopeStepDb, measureRoomAcoustics } from '../../src/dsp/roomMetrics.ts';
import { hashSeed } from '../../src/random.ts';
import { validateCondition } from '../../src/scene/condition.ts';
import { prepareScene } from '../../src/scene/prepare.ts';
import { openBanks, renderScene } from '../../src/scene/render.ts';
import { loadAudio } from '../../src/audio/load.ts';
import { signedDb } from '../../src/cli/outputLevels.ts';
import { airAttenuationDbPerM, roomBands } from '../../src/scene/room/absorption.ts';
import { defaultReceiverPosition, defaultRoomFor, directionVector, simulateRir, sourcePosition, type ReceiverSpec, type RoomSpec } from '../../src/scene/room/index.ts';
import { crossoverS } from '../../src/scene/room/simulate.ts';

export interface FidelityRow {
  check: string;
  earshot: string | number;
  reference: string | number;
  target: string;
  pass: boolean;
}

const FS = 16000;
const fix = (v: number, d = 2) => v.toFixed(d);

interface ReferenceCase {
  room: RoomSpec;
  receiverM: [number, number, number];
  distanceM: number;
  c50Db: number;
  drrDb: number;
  t20S: number;
  t30S: number;
}

/** The 3 rooms × 3 distances of the image-source reference (the two pyroomacoustics cross-checks left out). */
export function referenceCases(): ReferenceCase[] {
  const ref = JSON.parse(readFileSync(new URL('../fixtures/room/reference.json', import.meta.url), 'utf8'));
  return (ref.cases as ReferenceCase[]).filter((c) => !(c.distanceM === 1.5 && c.room.rt60S === 0.9));
}

/** earshot's IR for a reference case: the reference's room (flat walls, no air), mono receiver. */
export async function irForReference(c: ReferenceCase, seed = 3): Promise<Float32Array[]> {
  return simulateRir({
    room: { ...c.room, air: null },
    receiverPositionM: c.receiverM,
    source: { azimuthDeg: 0, elevationDeg: 0, distanceM: c.distanceM },
    receiver: { kind: 'mono' },
    sampleRateHz: FS,
    seed,
  });
}

async function againstImageSources(): Promise<FidelityRow[]> {
  const cases = referenceCases();
  const measured = await Promise.all(cases.map(async (c) => measureRoomAcoustics(await irForReference(c), FS)));
  const rows: FidelityRow[] = [];
  const rooms = [...new Set(cases.map((c) => JSON.stringify(c.room)))];
  for (const key of rooms) {
    const idx = cases.flatMap((c, i) => (JSON.stringify(c.room) === key ? [i] : []));
    const room = cases[idx[0]].room;
    const label = `${room.dimensionsM.join('×')} m, RT60 ${room.rt60S} s, talker at ${idx.map((i) => cases[i].distanceM).join(' / ')} m`;
    const list = (f: (i: number) => number) => idx.map((i) => signedDb(f(i))).join(' / ');
    const within = (f: (i: number) => number, g: (i: number) => number) => idx.every((i) => Math.abs(f(i) - g(i)) <= 1);
    rows.push({
      check: `C50 > 50 Hz (dB), ${label}`,
      earshot: list((i) => measured[i].c50Db),
      reference: `${list((i) => cases[i].c50Db)} (full-order image sources)`,
      target: 'each within 1 dB',
      pass: within((i) => measured[i].c50Db, (i) => cases[i].c50Db),
    });
    rows.push({
      check: `DRR > 50 Hz (dB), ${label}`,
      earshot: list((i) => measured[i].drrDb),
      reference: list((i) => cases[i].drrDb),
      target: 'each within 1 dB',
      pass: within((i) => measured[i].drrDb, (i) => cases[i].drrDb),
    });
    const t20 = idx.map((i) => measured[i].t20S!);
    const t30 = idx.map((i) => measured[i].t30S!);
    rows.push({
      check: `T20 / T30 (s), ${label}`,
      earshot: `${t20.map((t) => fix(t)).join(' / ')} · ${t30.map((t) => fix(t)).join(' / ')}`,
      reference: `target ${room.rt60S}; pure image sources ${idx.map((i) => fix(cases[i].t20S)).join(' / ')}`,
      target: 'within 5 % of the target',
      pass: [...t20, ...t30].every((t) => Math.abs(t / room.rt60S - 1) <= 0.05),
    });
  }
  return rows;
}

const SOURCE = { azimuthDeg: 30, elevationDeg: 0, distanceM: 1.5 };
const ROOMS: RoomSpec[] = [
  { dimensionsM: [4, 3, 2.5], rt60S: 0.3 },
  { dimensionsM: [6, 4, 3], rt60S: 0.6 },
  { dimensionsM: [10, 8, 4], rt60S: 0.9 },
];
const RECEIVERS: ReceiverSpec[] = [{ kind: 'mono' }, { kind: 'binaural' }, { kind: 'foa' }, { kind: 'array', micsM: [[0.05, 0, 0], [-0.05, 0, 0], [0, 0.05, 0]] }];

async function lowFrequenciesAndContinuity(): Promise<FidelityRow[]> {
  const rows: FidelityRow[] = [];
  for (const receiver of RECEIVERS) {
    const irs = await Promise.all(ROOMS.map((room) => simulateRir({ room, source: SOURCE, receiver, sampleRateHz: FS, seed: 5 })));
    const lf = Math.max(...irs.map((ir) => measureRoomAcoustics(ir, FS).lfFraction));
    const steps = irs.map((ir, i) => {
      const centre = defaultReceiverPosition(ROOMS[i]);
      return envelopeStepDb(ir, FS, crossoverS(ROOMS[i].dimensionsM, sourcePosition(centre, SOURCE), centre), ROOMS[i].rt60S);
    });
    const worst = steps.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
    rows.push({
      check: `energy below 40 Hz, ${receiver.kind} (worst of 3 rooms)`,
      earshot: `${fix(100 * lf, 3)} %`,
      reference: 'pyroomacoustics < 1 %; unfiltered image sources: DC sum ≈ 34',
      target: '≤ 1 %',
      pass: lf <= 0.01,
    });
    rows.push({
      check: `envelope step where the tail takes over, ${receiver.kind} (> 50 Hz; 3 rooms)`,
      earshot: `${steps.map((s) => signedDb(s)).join(' / ')} dB`,
      reference: '0 (a continuous decay)',
      target: '\\|step\\| ≤ 1 dB',
      pass: Math.abs(worst) <= 1,
    });
  }
  return rows;
}

async function frequencyDependentRooms(): Promise<FidelityRow[]> {
  const rows: FidelityRow[] = [];
  for (const room of [{ dimensionsM: defaultRoomFor(0.9), rt60S: 0.9 }, { dimensionsM: [6, 4, 3] as [number, number, number], rt60S: 0.9 }]) {
    const bands = roomBands(room, FS);
    const measured = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(async (seed) => measureRoomAcoustics(await simulateRir({ room, source: SOURCE, receiver: { kind: 'mono' }, sampleRateHz: FS, seed }), FS).bandT20S));
    const mean = bands.centresHz.map((_, b) => measured.reduce((s, m) => s + m[b].t20S!, 0) / measured.length);
    rows.push({
      check: `band T20 125 Hz … 4 kHz (s), ${room.dimensionsM.join('×')} m, RT60 0.9 s, defaults (flat walls, air 20 °C 50 %), mean of 8 seeds`,
      earshot: mean.map((t) => fix(t)).join(' / '),
      reference: `Sabine per band ${bands.rt60S.map((t) => fix(t)).join(' / ')}`,
      target: 'each within 8 % (125 Hz: 15 %)',
      pass: mean.every((t, b) => Math.abs(t / bands.rt60S[b] - 1) <= (b === 0 ? 0.15 : 0.08)),
    });
    rows.push({
      check: `band T20 4 kHz ÷ 500 Hz, same room`,
      earshot: fix(mean[5] / mean[2]),
      reference: room.dimensionsM.join() === '6,4,3' ? 'pyroomacoustics 0.86 (same room)' : `Sabine ${fix(bands.rt60S[5] / bands.rt60S[2])}`,
      target: '< 0.92 (visibly shorter)',
      pass: mean[5] / mean[2] < 0.92,
    });
  }
  const iso: [number, number, number[]][] = [
    [10, 70, [0.1, 0.4, 1.0, 1.9, 3.7, 9.7, 32.8, 117]],
    [20, 70, [0.1, 0.3, 1.1, 2.8, 5.0, 9.0, 22.9, 76.6]],
    [15, 80, [0.1, 0.3, 1.1, 2.4, 4.1, 8.3, 23.7, 82.8]],
  ];
  // The table is rounded to 0.1 dB/km: allow that, or 1 % of the larger values.
  let worst = 0;
  for (const [t, rh, table] of iso) {
    table.forEach((v, k) => {
      const ours = airAttenuationDbPerM(1000 * 10 ** ((3 * (k - 4)) / 10), t, rh) * 1000;
      worst = Math.max(worst, Math.abs(ours - v) / Math.max(0.06, 0.01 * v));
    });
  }
  rows.push({
    check: 'air absorption (dB/km), 63 Hz … 8 kHz at 10 °C 70 %, 20 °C 70 %, 15 °C 80 %',
    earshot: `worst ${fix(worst)} × the tolerance`,
    reference: 'ISO 9613-2 Table 2, exact mid-band frequencies',
    target: 'within 0.06 dB/km or 1 %',
    pass: worst <= 1,
  });
  return rows;
}

async function independentTails(): Promise<FidelityRow[]> {
  const seed = 7;
  const condition = validateCondition({ snrDb: 0, room: { rt60S: 0.6 }, noise: { ids: ['cafe'], sources: 4 }, seed });
  const scene = await prepareScene(condition, await openBanks(), FS);
  const [layer] = scene.noiseLayers;
  const room = scene.sourceRirInfo.room!;
  const singles = await Promise.all(
    layer.positions!.map((source, k) => simulateRir({ room, source, receiver: { kind: 'mono' }, sampleRateHz: FS, seed: hashSeed(seed, `noise-source-${k}`) }).then((ir) => ir[0])),
  );
  const late = (x: Float32Array) => x.subarray(Math.round(0.15 * FS));
  const energy = (x: Float32Array) => x.reduce((s, v) => s + v * v, 0);
  const tails = [scene.sourceRir![0], ...singles].map(late);
  let worst = 0;
  for (let a = 0; a < tails.length; a++) {
    for (let b = a + 1; b < tails.length; b++) {
      const n = Math.min(tails[a].length, tails[b].length);
      let ab = 0;
      for (let i = 0; i < n; i++) ab += tails[a][i] * tails[b][i];
      worst = Math.max(worst, Math.abs(ab / Math.sqrt(energy(tails[a].subarray(0, n)) * energy(tails[b].subarray(0, n)))));
    }
  }
  const growth = 10 * Math.log10(energy(late(layer.rir![0])) / singles.reduce((s, ir) => s + energy(late(ir)), 0));
  return [
    { check: 'late-tail correlation between a scene\'s IRs (talker + 4 noise sources, after 150 ms)', earshot: `max \\|ρ\\| ${fix(worst)}`, reference: 'independent paths: ≈ 0', target: '≤ 0.1', pass: worst <= 0.1 },
    { check: 'late energy of 4 summed noise-source IRs ÷ the sum of their energies', earshot: `${signedDb(growth)} dB`, reference: 'N (0 dB), not N² (+6 dB)', target: 'within 1 dB', pass: Math.abs(growth) <= 1 },
  ];
}

async function foaGains(): Promise<FidelityRow[]> {
  let worst = 0;
  for (const [az, el] of [[0, 0], [90, 0], [-135, 0], [45, 30], [120, -60]]) {
    const ir = await simulateRir({ room: null, source: { azimuthDeg: az, elevationDeg: el, distanceM: 1 }, receiver: { kind: 'foa' }, sampleRateHz: FS, seed: 0 });
    const peak = (x: Float32Array) => x.reduce((m, v) => (Math.abs(v) > Math.abs(m) ? v : m), 0);
    const [w, y, z, x] = ir.map(peak);
    const [ux, uy, uz] = directionVector(az, el);
    worst = Math.max(worst, Math.abs(x / w - ux), Math.abs(y / w - uy), Math.abs(z / w - uz));
  }
  return [{ check: 'FOA gains Y, Z, X ÷ W of a direct path, 5 directions', earshot: `worst error ${worst.toExponential(1)}`, reference: 'ACN/SN3D: sin az cos el, sin el, cos az cos el', target: '≤ 1e-6', pass: worst <= 1e-6 }];
}

// Interaural time (µs, right ear minus left) and level (dB, left over right, below 7.5 kHz) differences of a pair.
function itdIld([left, right]: ArrayLike<number>[], sampleRateHz: number): { itdUs: number; ildDb: number } {
  const below = (hz: number) => (hz < 7500 ? 1 : 0);
  const [l, r] = [left, right].map((x) => filterZeroPhase(x, sampleRateHz, [below])[0]);
  const e = (x: Float64Array) => x.reduce((s, v) => s + v * v, 0);
  return { itdUs: (lagOf(l, r, Math.round(0.0012 * sampleRateHz)) / sampleRateHz) * 1e6, ildDb: 10 * Math.log10(e(l) / e(r)) };
}

async function interauralCues(): Promise<FidelityRow[]> {
  const kemar = await readSofa(KEMAR_SOFA_PATH);
  const T = kemar.taps;
  const rows: FidelityRow[] = [];
  const pairs: { az: number; ours: { itdUs: number; ildDb: number }; raw: { itdUs: number; ildDb: number } }[] = [];
  for (const az of [30, 60, 90, 135, -45]) {
    // The measured direction at this azimuth on the horizontal ring (dot product 1).
    const [ux, uy] = directionVector(az, 0);
    const d = kemar.directions;
    const i = [...Array(kemar.count).keys()].find((k) => Math.abs(d[3 * k] * ux + d[3 * k + 1] * uy - 1) < 1e-9)!;
    const raw = itdIld([kemar.ir.subarray(2 * i * T, (2 * i + 1) * T), kemar.ir.subarray((2 * i + 1) * T, (2 * i + 2) * T)], kemar.rateHz);
    const rendered = await simulateRir({ room: null, source: { azimuthDeg: az, elevationDeg: 0, distanceM: 1.4 }, receiver: { kind: 'binaural' }, sampleRateHz: 48000, seed: 0 });
    pairs.push({ az, ours: itdIld(rendered, 48000), raw });
  }
  const worstItd = Math.max(...pairs.map((p) => Math.abs(p.ours.itdUs - p.raw.itdUs)));
  const worstIld = Math.max(...pairs.map((p) => Math.abs(p.ours.ildDb - p.raw.ildDb)));
  rows.push({
    check: `ITD (µs), binaural direct path at ${pairs.map((p) => `${p.az}°`).join(' / ')} (48 kHz)`,
    earshot: pairs.map((p) => p.ours.itdUs.toFixed(0)).join(' / '),
    reference: `${pairs.map((p) => p.raw.itdUs.toFixed(0)).join(' / ')} (raw KEMAR file, 44.1 kHz)`,
    target: 'each within 25 µs',
    pass: worstItd <= 25,
  });
  rows.push({
    check: 'ILD below 7.5 kHz (dB), same directions',
    earshot: pairs.map((p) => p.ours.ildDb.toFixed(1)).join(' / '),
    reference: pairs.map((p) => p.raw.ildDb.toFixed(1)).join(' / '),
    target: 'each within 0.5 dB',
    pass: worstIld <= 0.5,
  });
  return rows;
}

async function speechClips(): Promise<{ short: Float32Array; long: Float32Array }> {
  const dir = new URL('../../speech/digits/en/', import.meta.url);
  const digits = await Promise.all([7, 1, 2, 3, 4, 5].map(async (d) => (await loadAudio(fileURLToPath(new URL(`${d}.wav`, dir)), { sampleRateHz: FS, mono: true })).channels[0]));
  const long = new Float32Array(digits.reduce((n, d) => n + d.length, 0));
  digits.reduce((at, d) => (long.set(d, at), at + d.length), 0);
  return { short: digits[0], long };
}

async function snrDefinitions(): Promise<FidelityRow[]> {
  const banks = await openBanks();
  const { short, long } = await speechClips();
  const rows: FidelityRow[] = [];
  const spread = (v: number[], target: number) => Math.max(...v.map((x) => Math.abs(x - target)));
  for (const receiver of ['binaural', 'foa'] as const) {
    const base = { snrDb: 0, room: { rt60S: 0.6 }, receiver, source: { azimuthDeg: 90 }, noise: { ids: ['cafe', 'airport'], sources: 3 }, seed: 4 };
    const pooled = renderScene(short, await prepareScene(validateCondition({ ...base, snrMode: 'pooled' }), banks, FS)).measured;
    const perChannel = renderScene(short, await prepareScene(validateCondition({ ...base, snrMode: 'per-channel' }), banks, FS)).measured;
    rows.push({
      check: `SNR at nominal 0 dB, ${receiver}, talker at 90°, 3 noise sources: pooled mode`,
      earshot: `pooled ${signedDb(pooled.snrDb!)}; channels ${pooled.snrDbPerChannel!.map(signedDb).join(' / ')}`,
      reference: 'one gain, energy over all channels (keeps interaural noise cues)',
      target: 'pooled within 0.05 dB',
      pass: Math.abs(pooled.snrDb!) <= 0.05,
    });
    rows.push({
      check: `same scene, per-channel mode (Nat-HEAR's definition)`,
      earshot: `channels ${perChannel.snrDbPerChannel!.map(signedDb).join(' / ')}`,
      reference: 'one gain per channel',
      target: 'each channel within 0.05 dB',
      pass: spread(perChannel.snrDbPerChannel!, 0) <= 0.05,
    });
  }
  const nathear = { snrDb: 0, room: { rt60S: 0.5 }, receiver: 'binaural' as const, source: { azimuthDeg: 30 }, noise: { ids: ['pink'], sources: 1 }, recipe: 'nathear' as const, seed: 2 };
  const scene = await prepareScene(validateCondition(nathear), banks, FS);
  const onShort = renderScene(short, scene).measured.snrDbPerChannel!;
  const onLong = renderScene(long, scene).measured.snrDbPerChannel!;
  rows.push({
    check: `--recipe nathear at nominal 0 dB, binaural, steady noise: SNR per channel on a ${fix(short.length / FS)} s clip · a ${fix(long.length / FS, 1)} s clip`,
    earshot: `${onShort.map(signedDb).join(' / ')} · ${onLong.map(signedDb).join(' / ')}`,
    reference: 'the Nat-HEAR code pads clips to the 4 s RIR before setting the SNR: +7.5 to +9.2 dB on 0.91 s clips, exact on 4.9 s',
    target: 'short clip 6 to 9.5 dB above nominal; long clip within 0.05 dB',
    pass: onShort.every((v) => v >= 6 && v <= 9.5) && spread(onLong, 0) <= 0.05,
  });
  return rows;
}

export const checks: { name: string; run: () => Promise<FidelityRow[]> }[] = [
  { name: 'SNR definitions', run: snrDefinitions },
  { name: 'interaural cues against the raw KEMAR file', run: interauralCues },
  { name: 'C50, DRR and decay against full-order image sources', run: againstImageSources },
  { name: 'low frequencies and the tail takeover', run: lowFrequenciesAndContinuity },
  { name: 'frequency-dependent rooms', run: frequencyDependentRooms },
  { name: 'independent tails', run: independentTails },
  { name: 'FOA gains', run: foaGains },
];
