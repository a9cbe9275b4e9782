import { heapF32, WasmArena } from '../../dsp/pffft.ts';
import { hrirPair, hrirPairUnscaled, type Hrtf } from './hrtf.ts';
import { addKernelBands, convolveTaps16, fractionalDelayKernel, FRACTIONAL_DELAY_HALF_TAPS } from './ism.ts';
import { DIFFUSE_DIRECTIONS, fibonacciSphere, planeWaveDiffuse } from './lateTail.ts';
import { forEachArrival, type Receiver } from './receivers.ts';

/**
 * A binaural receiver through a measured HRTF (normally the MIT KEMAR set):
 * channel 0 is the LEFT ear, channel 1 the right; the head faces +x with its
 * left ear towards +y, so a source at azimuth +90° is heard first and loudest
 * on channel 0.
 *
 * Each image arrives from its own direction: its amplitude β^n/r and
 * fractional delay r/c (measured to the head centre) are applied to the HRIR
 * pair for that direction, interpolated between the measured directions around
 * it with the onsets aligned (`hrirPair`; the KEMAR rings are 10° apart in
 * elevation, 5° apart in azimuth at the horizon and 30° at 80°). KEMAR has
 * nothing below −40° elevation: lower
 * arrivals (floor reflections, mostly) take the −40° ring's HRIRs, held rather
 * than extrapolated; a source placed there is reported by `prepareScene`.
 * The HRIRs carry the interaural time and level
 * differences and the pinna filtering; near-field effects (sources closer
 * than the 1.4 m measuring distance) are not modelled. The diffuse late tail
 * is 48 independent plane waves from a Fibonacci lattice of directions, each
 * filtered by its interpolated HRIR pair, which gives the tail the diffuse-field
 * spectrum and the frequency-dependent interaural coherence of the head.
 */
export function binauralReceiver(hrtf: Hrtf): Receiver {
  const taps = new Float64Array(2 * FRACTIONAL_DELAY_HALF_TAPS);
  const T = hrtf.taps;
  const pad = taps.length - 1;
  // Each ear's HRIR with `pad` zeros either side, then convolved with the image's fractional delay.
  const hrir = [new Float64Array(T + 2 * pad), new Float64Array(T + 2 * pad)];
  const gains = new Float64Array(2);
  const kernel = new Float64Array(T + pad);
  return {
    channels: 2,
    offsetsM: [[0, 0, 0]],
    addImages: (job, centreM, out) =>
      forEachArrival(job, centreM, (d, amps, ux, uy, uz) => {
        // The HRIR pair's energy scaling rides on the band amplitudes.
        hrirPairUnscaled(hrtf, ux, uy, uz, hrir[0], pad, hrir[1], pad, gains);
        const start = fractionalDelayKernel(d, taps);
        for (let ear = 0; ear < 2; ear++) {
          convolveTaps16(hrir[ear], pad, taps, kernel, 0, kernel.length);
          addKernelBands(out, ear, start, kernel, amps, gains[ear]);
        }
      }),
    diffuseNoise: (n, rng) => {
      let spectra: Float32Array[] | undefined;
      return planeWaveDiffuse(n, 2, DIFFUSE_DIRECTIONS, (k, ear, size) => ({ z: (spectra ??= diffuseSpectra(hrtf, size))[2 * k + ear] }), rng);
    },
  };
}

const spectraCache = new WeakMap<Hrtf, Map<number, Float32Array[]>>();

// HRTF spectra of the HRIR pairs for the diffuse-field directions (PFFFT z-domain order, `size` points), cached per HRTF and FFT size.
function diffuseSpectra(hrtf: Hrtf, size: number): Float32Array[] {
  let bySize = spectraCache.get(hrtf);
  if (!bySize) spectraCache.set(hrtf, (bySize = new Map()));
  const hit = bySize.get(size);
  if (hit) return hit;
  const dirs = fibonacciSphere(DIFFUSE_DIRECTIONS);
  const arena = new WasmArena(bySize);
  try {
    const fft = arena.realFft(size);
    const input = arena.floats(size);
    const spec = arena.floats(size);
    const pair: [Float32Array, Float32Array] = [new Float32Array(hrtf.taps), new Float32Array(hrtf.taps)];
    const out: Float32Array[] = [];
    for (let k = 0; k < DIFFUSE_DIRECTIONS; k++) {
      hrirPair(hrtf, dirs[3 * k], dirs[3 * k + 1], dirs[3 * k + 2], pair);
      for (let ear = 0; ear < 2; ear++) {
        // The HRTF at `size` bins: the HRIR zero-padded, or wrapped where it is longer.
        const heap = heapF32();
        const at = input >> 2;
        heap.fill(0, at, at + size);
        for (let i = 0; i < hrtf.taps; i++) heap[at + (i % size)] += pair[ear][i];
        fft.forward(input, spec);
        out.push(heapF32().slice(spec >> 2, (spec >> 2) + size));
      }
    }
    bySize.set(size, out);
    return out;
  } finally {
    arena.dispose();
  }
}
