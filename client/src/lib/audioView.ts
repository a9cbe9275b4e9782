import { ClipLatch, levelDbfs, type ClipState } from './levels.ts';
import type { AudioMsg } from './wire.ts';
import { SpectrogramBuilder } from './spectrogram.ts';

/** Spectrogram columns in a ring the canvases read; `total` counts every column ever added. */
export interface Spectra { total: number; clean: Float32Array[]; degraded: Float32Array[]; bins: number; columnS: number; sampleRateHz: number }
/** RMS and peak of the frame's clean and degraded (mono mix) audio, and the degraded scene's clip lamp. */
export interface Levels { clean: { rmsDb: number; peakDb: number }; degraded: { rmsDb: number; peakDb: number }; clip: ClipState }

const RING_COLUMNS = 4096;

/**
 * Turns the stream's `audio` frames into what the spectrograms and meters
 * show: STFT columns of the clean and degraded audio, kept in a ring of the
 * last 4096 (about a minute at 16 kHz), the frame's RMS and peak, and the
 * clip lamp fed by the peak and clipped-sample count the server measured on
 * every channel of the degraded scene.
 */
export class AudioView {
  private builders: { clean: SpectrogramBuilder; degraded: SpectrogramBuilder; rateHz: number } | null = null;
  private ring = { clean: [] as Float32Array[], degraded: [] as Float32Array[], total: 0 };
  private readonly clip = new ClipLatch();

  push(a: AudioMsg, data: Float32Array): { spectra: Spectra; levels: Levels; clean: Float32Array; degraded: Float32Array } {
    const clean = data.subarray(0, a.samples);
    const degraded = data.subarray(a.samples, 2 * a.samples);
    if (!this.builders || this.builders.rateHz !== a.sampleRateHz) {
      this.builders = { clean: new SpectrogramBuilder(), degraded: new SpectrogramBuilder(), rateHz: a.sampleRateHz };
    }
    const c = this.builders.clean.push(clean);
    const d = this.builders.degraded.push(degraded);
    const ring = this.ring;
    ring.clean.push(...c);
    ring.degraded.push(...d);
    ring.total += c.length;
    if (ring.clean.length > RING_COLUMNS) {
      ring.clean.splice(0, ring.clean.length - RING_COLUMNS);
      ring.degraded.splice(0, ring.degraded.length - RING_COLUMNS);
    }
    const b = this.builders.clean;
    const degradedLevel = levelDbfs(degraded);
    return {
      spectra: { total: ring.total, clean: ring.clean, degraded: ring.degraded, bins: b.bins, columnS: b.options.hopSize / a.sampleRateHz, sampleRateHz: a.sampleRateHz },
      levels: {
        clean: levelDbfs(clean),
        degraded: degradedLevel,
        clip: this.clip.push(a.t0S, a.degradedClippedSamples ?? 0, a.degradedPeakDbfs ?? degradedLevel.peakDb),
      },
      clean,
      degraded,
    };
  }

  reset(): void {
    this.builders = null;
    this.ring = { clean: [], degraded: [], total: 0 };
    this.clip.reset();
  }
}
