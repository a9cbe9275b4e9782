/**
 * The offline scene recipes (renderScene, renderNatHear) over a clip of any length, block by
 * block, in memory that does not grow with the clip. The recipes set levels from whole-clip
 * measurements (the clip's RMS, the source and noise energies behind the SNR gain, the
 * output's peak for a 16-bit file), which a live stream estimates instead (streamingScene.ts);
 * here they are measured exactly, in passes over spooled blocks (see spool.ts):
 *
 * 1. the clip is spooled and its energy summed (its RMS gain);
 * 2. the source is levelled and convolved, the noise layers laid and convolved
 *    (noiseBlocks.ts), both spooled, and their energies per channel summed;
 * 3. the gains are set (snrGains), and `output()` mixes the output block by block for the
 *    caller to write or encode, measuring its peak, samples past full scale and SNRs as it
 *    goes; `levels()` gives those measurements, from that pass, or from a pass of its own
 *    when they are needed first (a 16-bit file is fitted to the peak before it is written).
 *
 * The convolutions run once; the later passes only read the spools and multiply-add. Every
 * energy is summed channel by channel, in sample order, as `energy()` sums a whole clip. With
 * blocks a multiple of the convolver's 4096-sample partitions, every step does the
 * whole-clip arithmetic in the whole-clip order: the output, params and measurements equal
 * renderScene's / renderNatHear's bit for bit.
 */
import type { AudioReader } from '../audio/audioReader.ts';
import type { BlockSpool, SpoolFactory } from '../audio/spool.ts';
import { StreamingConvolver } from '../dsp/convolver.ts';
import { CONVOLVER_DEFAULTS } from '../dsp/convolverOptions.ts';
import { channelArrays } from '../dsp/channels.ts';
import { addSquares, rmsGainOfEnergy } from '../dsp/level.ts';
import { snrFromEnergies, snrGains } from '../dsp/mix.ts';
import { Errors } from '../errors.ts';
import { createRng } from '../random.ts';
import { recipeOf, snrModeOf } from './condition.ts';
import { fitRir, NATHEAR_FADE_S, NATHEAR_LEVEL_DBFS, NATHEAR_RIR_S } from './natHearRecipe.ts';
import { earshotLayer, natHearLayer, type LayerBlocks } from './noiseBlocks.ts';
import type { PreparedScene } from './prepare.ts';
import { NOISE_FADE_S, SCENE_LEVEL_DBFS, type RenderedScene } from './render.ts';
import { sceneParamsBase, withRoomMeasured } from './sceneParts.ts';

/** Options of {@link renderSceneBlocks}. */
export interface RenderBlocksOptions {
  /** Where the passes keep their blocks (tempSpools() for files, memorySpools() for short clips). */
  spools: SpoolFactory;
  /** Frames per block, a multiple of 4096. Default 65536 (4.1 s at 16 kHz). */
  blockFrames?: number;
  /** As renderScene's: redraw only the per-clip noise. */
  clipSeed?: number;
}

/** A rendered scene whose samples are read block by block. */
export interface BlockRender {
  sampleRateHz: number;
  channelCount: number;
  /** Output frames: the clip's length. */
  frames: number;
  params: RenderedScene['params'];
  /** What the output measures: by the last `output()` read to its end, or else by a pass of its own. */
  levels(): Promise<OutputLevels>;
  /** The output, block by block (each call starts from the beginning). */
  output(): AudioReader;
}

/** What a render's output measures. */
export interface OutputLevels {
  measured: RenderedScene['measured'];
  /** Largest |sample| of the output over all channels, and how many samples lie past ±1. */
  peak: number;
  clippedSamples: number;
}

/**
 * Render a mono clip at the scene's rate, read block by block from `clean`, into the
 * prepared scene (see the module comment): the samples, params and measurements of
 * renderScene on the whole clip. `clean` is read to its end, not closed.
 *
 * @throws INVALID_OPTION for a clip that is not mono at the scene's rate or a bad block size
 * @example
 * const spools = await tempSpools();
 * try {
 *   const render = await renderSceneBlocks(clean, await prepareScene(condition, banks, 16000), { spools });
 *   for (const reader = render.output(), block; (block = await reader.read()); ) write(block);
 * } finally { await spools.close(); }
 */
export async function renderSceneBlocks(clean: AudioReader, scene: PreparedScene, opts: RenderBlocksOptions): Promise<BlockRender> {
  const B = opts.blockFrames ?? 65536;
  if (!Number.isInteger(B) || B < CONVOLVER_DEFAULTS.blockSize || B % CONVOLVER_DEFAULTS.blockSize !== 0) {
    throw new Errors.INVALID_OPTION(`blockFrames must be a multiple of ${CONVOLVER_DEFAULTS.blockSize}, got ${B}`);
  }
  if (clean.channelCount !== 1 || clean.sampleRateHz !== scene.sampleRateHz) {
    throw new Errors.INVALID_OPTION(`a scene renders mono audio at its own rate (${scene.sampleRateHz} Hz); got ${clean.channelCount} channel(s) at ${clean.sampleRateHz} Hz`);
  }
  const { condition, sampleRateHz: sr } = scene;
  const C = scene.channelCount;
  const natHear = recipeOf(condition) === 'nathear';
  const { spool: cleanSpool, frames: n, energy } = await spoolClip(clean, await opts.spools.open('clean', 1, B), B);
  const rirLength = Math.round(NATHEAR_RIR_S * sr);
  const L = natHear ? Math.max(n, rirLength) : n;
  const gain = rmsGainOfEnergy(energy, n, natHear ? NATHEAR_LEVEL_DBFS : SCENE_LEVEL_DBFS);
  const sourceIr = scene.sourceRir && natHear ? fitRir(scene.sourceRir, rirLength) : scene.sourceRir;
  const noisy = condition.snrDb !== 'clean';
  const rng = createRng(opts.clipSeed ?? condition.seed).fork('noise-signal');
  const setup = { channelCount: C, lengthSamples: L, levelDbfs: SCENE_LEVEL_DBFS, fadeSamples: natHear ? Math.floor(NATHEAR_FADE_S * sr) : Math.round(NOISE_FADE_S * sr) };
  const layers: LayerBlocks[] = !noisy ? [] : scene.noiseLayers.map((l) => (natHear ? natHearLayer(l, rng, { ...setup, levelDbfs: NATHEAR_LEVEL_DBFS }, (ir) => fitRir(ir, rirLength)) : earshotLayer(l, rng, setup)));
  const conv = sourceIr ? new StreamingConvolver(sourceIr) : null;
  const source = await opts.spools.open('source', C, B);
  const noise = noisy ? await opts.spools.open('noise', C, B) : null;
  const es = new Float64Array(C);
  const en = new Float64Array(C);
  try {
    // Pass 2: level and convolve the source, lay and convolve the noise, over the (padded) clip (buffers reused block to block).
    const full = { x: new Float32Array(B), clean: [new Float32Array(B)], s: channelArrays(C, B), acc: channelArrays(C, B) };
    for (let b = 0, start = 0; start < L; b++, start += B) {
      const m = Math.min(B, L - start);
      const x = full.x.subarray(0, m);
      x.fill(0);
      if (start < n) {
        const [c0] = await cleanSpool.read(b, 0, full.clean);
        scaleInto(x, c0, gain);
      }
      const s = full.s.map((ch) => ch.subarray(0, m));
      if (conv) conv.processInto(x, s, 0);
      else for (const ch of s) ch.set(x);
      sumSquares(s, es);
      await source.write(s);
      if (noise) {
        const acc = full.acc.map((ch) => ch.subarray(0, m).fill(0));
        for (const layer of layers) layer.addInto(acc, start);
        sumSquares(acc, en);
        await noise.write(acc);
      }
    }
  } finally {
    conv?.dispose();
    layers.forEach((l) => l.dispose());
  }
  const mode = snrModeOf(condition);
  const { noiseGain, noiseGains } = condition.snrDb !== 'clean'
    ? snrGains({ sourceEnergy: total(es), sourceEnergies: Array.from(es), noiseEnergies: Array.from(en), snrDb: condition.snrDb, mode })
    : { noiseGain: 0, noiseGains: [] as number[] };

  const base = sceneParamsBase(scene);
  let levels: OutputLevels | undefined;
  const measuredBy = (m: Meter): OutputLevels => {
    const snr = noisy && noiseGain > 0
      ? { snrDb: snrFromEnergies(total(m.sourceC), total(m.addedC)), snrDbPerChannel: Array.from(m.sourceC, (e, c) => snrFromEnergies(e, m.addedC[c])) }
      : { snrDb: null, snrDbPerChannel: null };
    return (levels = { measured: withRoomMeasured(snr, scene), peak: m.peak, clippedSamples: m.clipped });
  };
  return {
    sampleRateHz: sr,
    channelCount: C,
    frames: n,
    params: { ...base, noise: noisy ? { noiseGain, noiseGains, layers: scene.noiseLayers.map((l, k) => ({ id: l.noise.id, positions: l.positions, placement: layers[k].placement })) } : null },
    async levels() {
      if (levels) return levels;
      // Pass 3 on its own: the output (the first n samples) mixed only to measure it.
      const m = meter(C);
      await channelMajor(source, noise, n, B, (c, s, nz) => mixBlock(m, c, s, nz, noiseGains[c], null));
      return measuredBy(m);
    },
    output: () => mixedReader(source, noise, noiseGains, n, B, sr, measuredBy),
  };
}

/** Running measurements of an output: peak, samples past ±1, and per channel the source's energy and the energy the noise added. */
interface Meter {
  peak: number;
  clipped: number;
  sourceC: Float64Array;
  addedC: Float64Array;
}

function meter(channelCount: number): Meter {
  return { peak: 0, clipped: 0, sourceC: new Float64Array(channelCount), addedC: new Float64Array(channelCount) };
}

/** Channel c of one block: source + gain · noise in float32 (mixAtSnr's arithmetic), measured into `m`, and written to `out` when given. */
function mixBlock(m: Meter, c: number, s: Float32Array, nz: Float32Array | null, gain: number, out: Float32Array | null): void {
  let { peak, clipped } = m;
  let es = m.sourceC[c];
  let ea = m.addedC[c];
  for (let i = 0; i < s.length; i++) {
    const x = s[i];
    const y = nz ? Math.fround(x + gain * nz[i]) : x;
    if (out) out[i] = y;
    const a = Math.abs(y);
    if (a > peak) peak = a;
    if (a > 1) clipped++;
    const d = Math.fround(y - x);
    es += x * x;
    ea += d * d;
  }
  m.peak = peak;
  m.clipped = clipped;
  m.sourceC[c] = es;
  m.addedC[c] = ea;
}

/** Pass 1: the clip re-blocked into the spool, its frame count and energy (summed in order). */
async function spoolClip(clean: AudioReader, spool: BlockSpool, B: number): Promise<{ spool: BlockSpool; frames: number; energy: number }> {
  const buf = new Float32Array(B); // reused: a spool keeps its own copy of what it is given
  let fill = 0;
  let frames = 0;
  let energy = 0;
  for (let block = await clean.read(true); block !== null; block = await clean.read(true)) {
    const x = block[0];
    energy = addSquares(energy, x);
    frames += x.length;
    for (let at = 0; at < x.length; ) {
      const take = Math.min(B - fill, x.length - at);
      buf.set(x.subarray(at, at + take), fill);
      fill += take;
      at += take;
      if (fill === B) {
        await spool.write([buf]);
        fill = 0;
      }
    }
  }
  if (fill > 0) await spool.write([buf.subarray(0, fill)]);
  return { spool, frames, energy };
}

/** Visit the first `frames` samples of each channel in turn (and the noise beside them). */
async function channelMajor(source: BlockSpool, noise: BlockSpool | null, frames: number, B: number, visit: (c: number, s: Float32Array, n: Float32Array | null) => void): Promise<void> {
  const bufS = [new Float32Array(B)];
  const bufN = [new Float32Array(B)];
  for (let c = 0; c < source.channelCount; c++) {
    for (let b = 0; b * B < frames; b++) {
      const m = Math.min(B, frames - b * B);
      const [s] = await source.read(b, c, bufS);
      const nz = noise ? (await noise.read(b, c, bufN))[0] : null;
      visit(c, s.subarray(0, m), nz ? nz.subarray(0, m) : null);
    }
  }
}

/** Pass 3: the output, the first `frames` samples, block by block (in fresh arrays unless the caller reuses them), measured as it goes (`done` gets the measurements after the last block). */
function mixedReader(source: BlockSpool, noise: BlockSpool | null, gains: number[], frames: number, B: number, sampleRateHz: number, done: (m: Meter) => void): AudioReader {
  let b = 0;
  const m = meter(source.channelCount);
  const bufN = channelArrays(source.channelCount, B);
  let reused: Float32Array[] | undefined;
  return {
    name: 'rendered scene',
    sampleRateHz,
    channelCount: source.channelCount,
    frames,
    async read(reuse) {
      if (b * B >= frames) return null;
      const count = Math.min(B, frames - b * B);
      const size = Math.min(B, source.blockFrames);
      const out = reuse ? (reused ??= channelArrays(source.channelCount, size)) : channelArrays(source.channelCount, size);
      const s = await source.read(b, undefined, out);
      const nz = noise ? await noise.read(b, undefined, bufN) : null;
      b++;
      const mixed = s.map((x, c) => {
        const y = x.subarray(0, count);
        mixBlock(m, c, y, nz ? nz[c].subarray(0, count) : null, gains[c], y);
        return y;
      });
      if (b * B >= frames) done(m);
      return mixed;
    },
    async close() {},
  };
}

// x[i] = c[i] · gain.
function scaleInto(x: Float32Array, c: Float32Array, gain: number): void {
  for (let i = 0; i < c.length; i++) x[i] = c[i] * gain;
}

/** The channels' energies summed in channel order: `energy()`'s pooled total of a whole clip. */
function total(perChannel: Float64Array): number {
  return perChannel.reduce((a, e) => a + e, 0);
}

/** Add each channel's sum of squares to `acc[c]`, in sample order. */
function sumSquares(channels: Float32Array[], acc: Float64Array): void {
  for (let c = 0; c < channels.length; c++) acc[c] = addSquares(acc[c], channels[c]);
}
