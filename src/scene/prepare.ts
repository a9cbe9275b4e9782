import { fixedReceiverOf, type Condition, type FixedReceiver } from './condition.ts';
import type { SceneBanks } from './render.ts';
import type { NoiseSource } from './noiseBank.ts';
import { sampleNoisePositions } from './noisePositions.ts';
import {
  channelCount,
  defaultRoomFor,
  elevationRangeDeg,
  loadHrtf,
  maxSourceDistanceM,
  simulateRir,
  type SimulateOptions,
  type Placement,
  type ReceiverSpec,
  type RoomSpec,
} from './room/index.ts';
import { normalizeRms } from '../dsp/level.ts';
import { measureRt60 } from '../dsp/rt60.ts';
import { measureRoomAcoustics, type RoomAcoustics } from '../dsp/roomMetrics.ts';
import { roomBands } from './room/absorption.ts';
import { createRng, hashSeed } from '../random.ts';
import { Errors } from '../errors.ts';

/** Everything a condition needs before audio flows: IRs loaded or simulated, noise loaded, positions drawn. */
export interface PreparedScene {
  condition: Condition;
  sampleRateHz: number;
  channelCount: number;
  receiverLabel: string;
  /** null: the dry signal goes to every channel (no room, mono receiver). */
  sourceRir: Float32Array[] | null;
  sourceRirInfo: SourceRirInfo;
  /** One layer per distinct noise id; its IR is the sum of the IRs of the sources that play it (one convolution per layer). */
  noiseLayers: { noise: NoiseSource; rir: Float32Array[] | null; positions: Placement[] | null }[];
  /** What the scene could not render as asked, in words for the user (e.g. a source below the HRTF's measured elevations). */
  warnings: string[];
}

/**
 * What the source IR is and what was measured on it. `rt60S`: a simulated room's
 * mid-frequency RT60 as measured on its IR (mean band T20 at 500 Hz and 1 kHz, what the
 * condition's rt60S targets); a bank IR's broadband RT60 (Schroeder, noise-compensated);
 * null when there is no decay to measure (dry or anechoic). `acoustics`: C50, DRR, T20/T30
 * and band T20s of the IR (see `measureRoomAcoustics`); for simulated rooms `bands` gives
 * each octave band's Sabine RT60 target and wall absorption.
 */
export interface SourceRirInfo {
  kind: 'none' | 'anechoic' | 'bank' | 'simulated';
  id?: string;
  room?: RoomSpec;
  channels: number;
  lengthS: number;
  rt60S: number | null;
  acoustics?: RoomAcoustics | null;
  bands?: { centreHz: number; targetRt60S: number; absorption: number }[];
}

/** Far enough for free-field sources; near enough that anechoic placement stays sensible. */
const FREE_FIELD_MAX_DISTANCE_M = 6;

/** How prepareScene does its heaviest step. */
export interface PrepareOptions {
  /** The room simulator (default: simulateRir in this thread); a server runs it on a task thread so a condition change never holds its event loop. */
  simulateRir?: (opts: SimulateOptions) => Promise<Float32Array[]>;
}

/**
 * Turn a validated condition into a prepared scene at `sampleRateHz`. Unknown
 * bank ids, a receiver that does not match a bank IR's channels, or a room that
 * cannot reach the RT60 raise a clear error here, before any audio is touched.
 */
export async function prepareScene(condition: Condition, banks: SceneBanks, sampleRateHz: number, opts: PrepareOptions = {}): Promise<PreparedScene> {
  const simulate = opts.simulateRir ?? simulateRir;
  const rng = createRng(condition.seed);
  const room = condition.room;
  const noiseIds = condition.snrDb === 'clean' ? [] : condition.noise.ids;
  const noises = await Promise.all(noiseIds.map((id) => banks.noises.load(id, sampleRateHz)));
  const sourcesPerLayer = noises.map((_, i) => countSources(condition.noise.sources, noises.length, i));
  const normalised = noises.map(normaliseNoise);

  if (room !== null && 'bank' in room) {
    const rir = await banks.rirs.load(room.bank, sampleRateHz);
    const layout = banks.rirs.entry(room.bank).layout;
    const given = fixedReceiverOf(condition);
    if (given !== undefined && channelCount(toSpec(given)) !== rir.length) {
      throw new Errors.INVALID_CONDITION(
        `receiver ${JSON.stringify(given)} has ${channelCount(toSpec(given))} channel(s) but the bank IR "${room.bank}" has ${rir.length} (${layout}); use receiver "auto" (or leave it out) for the IR's own layout`,
      );
    }
    return {
      condition,
      sampleRateHz,
      channelCount: rir.length,
      receiverLabel: layout,
      sourceRir: rir,
      sourceRirInfo: measuredOnDemand({ kind: 'bank', id: room.bank, channels: rir.length, lengthS: rir[0].length / sampleRateHz }, rir, sampleRateHz, () => rt60OrNull(rir, sampleRateHz)),
      // A bank IR is one measured path: every noise source plays through it too.
      noiseLayers: normalised.map((noise) => ({ noise, rir, positions: null })),
      warnings: [],
    };
  }

  const fixed = fixedReceiverOf(condition);
  const receiver = toSpec(fixed ?? 'mono');
  const receiverLabel = typeof fixed === 'object' ? `array(${fixed.micsM.length})` : (fixed ?? 'mono');
  const channels = channelCount(receiver);
  const roomSpec: RoomSpec | null = room === null ? null : { ...room, dimensionsM: room.dimensionsM ?? defaultRoomFor(room.rt60S) };
  if (roomSpec === null && receiver.kind === 'mono') {
    return {
      condition,
      sampleRateHz,
      channelCount: 1,
      receiverLabel,
      sourceRir: null,
      sourceRirInfo: { kind: 'none', channels: 1, lengthS: 0, rt60S: null },
      noiseLayers: normalised.map((noise) => ({ noise, rir: null, positions: null })),
      warnings: [],
    };
  }
  // Every IR of the scene gets its own late tail (its own seed): sources at different places do not share one reverberant waveform.
  const rirAt = (source: Placement, label: string) => simulate({ room: roomSpec, source, receiver, sampleRateHz, seed: hashSeed(condition.seed, label) });
  const sourceRir = await rirAt(condition.source, 'talker');
  const reach = (az: number, el: number) => (roomSpec ? maxSourceDistanceM(roomSpec, az, el) : FREE_FIELD_MAX_DISTANCE_M);
  const total = sourcesPerLayer.reduce((a, b) => a + b, 0);
  const positions = total > 0 ? sampleNoisePositions(total, condition.source, reach, rng.fork('noise-positions')) : [];
  const noiseLayers = [];
  let next = 0;
  for (const [i, noise] of normalised.entries()) {
    const first = next;
    const mine = positions.slice(next, next + sourcesPerLayer[i]);
    next += mine.length;
    noiseLayers.push({ noise, rir: sumChannels(await Promise.all(mine.map((p, k) => rirAt(p, `noise-source-${first + k}`)))), positions: mine });
  }
  return {
    condition,
    sampleRateHz,
    channelCount: channels,
    receiverLabel,
    sourceRir,
    sourceRirInfo: roomSpec ? simulatedInfo(roomSpec, sourceRir, sampleRateHz) : { kind: 'anechoic', channels, lengthS: sourceRir[0].length / sampleRateHz, rt60S: null },
    noiseLayers,
    warnings: await belowHrtfWarnings(receiver, [['source', condition.source], ...positions.map((p, i) => [`noise source ${i + 1}`, p] as const)], sampleRateHz),
  };
}

// A binaural receiver holds the lowest measured HRTF ring below it (KEMAR: −40°); say so for each placement down there.
async function belowHrtfWarnings(receiver: ReceiverSpec, placements: (readonly [string, Placement])[], sampleRateHz: number): Promise<string[]> {
  if (receiver.kind !== 'binaural') return [];
  const { minDeg } = elevationRangeDeg(await loadHrtf(sampleRateHz));
  return placements
    .filter(([, p]) => p.elevationDeg < minDeg)
    .map(([what, p]) => `${what} elevation ${p.elevationDeg}° is below the HRTF's measured range (${minDeg}°); the ${minDeg}° ring's responses are used`);
}

/** The condition's receiver as the room simulator's spec. */
export function toSpec(receiver: FixedReceiver): ReceiverSpec {
  return typeof receiver === 'string' ? { kind: receiver } : { kind: 'array', micsM: receiver.micsM };
}

// A user's IR may be too short or noisy for a decay fit; that is no reason to refuse to render with it.
function rt60OrNull(ir: Float32Array[], sampleRateHz: number): number | null {
  try {
    return measureRt60(ir, sampleRateHz).rt60S;
  } catch {
    return null;
  }
}

function simulatedInfo(room: RoomSpec, ir: Float32Array[], sampleRateHz: number): SourceRirInfo {
  const bands = roomBands(room, sampleRateHz);
  const fixed = {
    kind: 'simulated' as const,
    room,
    channels: ir.length,
    lengthS: ir[0].length / sampleRateHz,
    bands: bands.centresHz.map((centreHz, i) => ({ centreHz, targetRt60S: bands.rt60S[i], absorption: bands.absorption[i] })),
  };
  return measuredOnDemand(fixed, ir, sampleRateHz, (acoustics) => {
    const mid = acoustics?.bandT20S.filter((b) => b.centreHz === 500 || b.centreHz === 1000).map((b) => b.t20S) ?? [];
    return mid.length === 2 && mid.every((t) => t !== null) ? (mid[0]! + mid[1]!) / 2 : rt60OrNull(ir, sampleRateHz);
  });
}

/**
 * `fixed` plus `acoustics` and `rt60S` measured on `ir` when first read, then kept.
 * Measuring takes about 0.2 s for a 2 s binaural IR: sweeps' cells and live streams,
 * which never read it, do not pay for it; `earshot render --json` does, once.
 */
function measuredOnDemand(
  fixed: Omit<SourceRirInfo, 'rt60S' | 'acoustics'>,
  ir: Float32Array[],
  sampleRateHz: number,
  rt60: (acoustics: RoomAcoustics | null) => number | null,
): SourceRirInfo {
  let acoustics: RoomAcoustics | null | undefined;
  let rt60S: number | null | undefined;
  const measure = (): RoomAcoustics | null => {
    if (acoustics === undefined) {
      try {
        acoustics = measureRoomAcoustics(ir, sampleRateHz);
      } catch {
        acoustics = null; // silent or empty: nothing to measure
      }
    }
    return acoustics;
  };
  return {
    ...fixed,
    get acoustics() {
      return measure();
    },
    get rt60S() {
      if (rt60S === undefined) rt60S = rt60(measure());
      return rt60S;
    },
  };
}

// Sources are dealt to the noise ids in turn: 5 sources over 2 ids -> 3 and 2.
function countSources(sources: number, ids: number, i: number): number {
  return Math.floor(sources / ids) + (i < sources % ids ? 1 : 0);
}

// A bank caches each recording per rate and hands out the same array: normalise it once, not on every condition
// change (a minute of noise is a few MB to scan and copy, and a server may prepare scenes many times a second).
const NORMALISED = new WeakMap<Float32Array, Float32Array>();

function normaliseNoise(noise: NoiseSource): NoiseSource {
  if (noise.kind !== 'recording') return noise;
  let samples = NORMALISED.get(noise.samples);
  if (samples === undefined) NORMALISED.set(noise.samples, (samples = normalizeRms([noise.samples], -14)[0]));
  return { ...noise, samples };
}

// The RIR-summation shortcut: one mono noise through several IRs = one convolution with their sum.
function sumChannels(irs: Float32Array[][]): Float32Array[] {
  const length = Math.max(...irs.map((ir) => ir[0].length));
  return irs[0].map((_, c) => {
    const out = new Float32Array(length);
    for (const ir of irs) for (let i = 0; i < ir[c].length; i++) out[i] += ir[c][i];
    return out;
  });
}
