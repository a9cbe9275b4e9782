import type { FrameTiming } from './timing.ts';

/**
 * How a model family turns a clip into model calls and a clip's worth of
 * frames: the chunking policy shared by every family.
 *
 * 1. The clip is cut into non-overlapping windows of W = round(windowS · sr)
 *    samples; window k starts at k · W.
 * 2. Each call also sees `contextSamples` past its window's end (fewer at the
 *    clip's end), so the frames that start inside the window are complete:
 *    W + (receptive field − hop) for a variable-length waveform model, the
 *    graph's fixed length for a fixed one, W + (frame length − shift) for a
 *    Kaldi fbank; Whisper pads itself and needs none.
 * 3. Past the clip's end the input is padded as the model's own front-end
 *    pads (see each family): the last window is never filled with audio
 *    from anywhere else.
 * 4. Frame t of window k gets the timestamp k·W/sr + firstCentreS + t·hopS;
 *    frames whose timestamp lies at or past the end of the audio the call
 *    saw (the clip's end, or the window's end when the model pads a shorter
 *    window, as Whisper with windowS < chunkS) come from padding and are
 *    dropped. A clip shorter than its first frame's centre
 *    keeps that one frame, so every non-empty clip has an embedding.
 * 5. A model with one vector per window ("B,D") gets one timestamp per
 *    window: the centre of the audio the window holds.
 */

/** One model call: the samples [start, end) it is fed (end ≤ start + W + context, ≤ clip length). */
export interface WindowSpan {
  start: number;
  end: number;
  /** Samples of the clip inside the window proper (W, or less for the last window). */
  own: number;
}

/**
 * The windows for a clip of `numSamples` samples.
 *
 * @example planWindows(50000, 16000, 80) // 4 windows; the last holds 2000 samples
 */
export function planWindows(numSamples: number, windowSamples: number, contextSamples: number): WindowSpan[] {
  const spans: WindowSpan[] = [];
  for (let start = 0; start < numSamples; start += windowSamples) {
    spans.push({ start, end: Math.min(numSamples, start + windowSamples + contextSamples), own: Math.min(windowSamples, numSamples - start) });
  }
  return spans;
}

/**
 * The timestamps (seconds from the clip's start) of the frames of one
 * window that lie inside the audio it saw; their count is how many of the
 * model's `frames` to keep.
 */
export function frameTimestamps(span: WindowSpan, frames: number, timing: FrameTiming, sampleRateHz: number, clipSamples: number): Float64Array {
  const t0 = span.start / sampleRateHz;
  // Past the audio this call saw (the clip's end, or a window shorter than the model's input) is padding.
  const endS = Math.min(clipSamples, span.end) / sampleRateHz;
  const out: number[] = [];
  for (let t = 0; t < frames; t++) {
    const centre = t0 + timing.firstCentreS + t * timing.hopS;
    if (centre >= endS) break;
    out.push(centre);
  }
  if (out.length === 0 && span.start === 0 && frames > 0) out.push(timing.firstCentreS);
  return Float64Array.from(out);
}

/** The timestamp of a "B,D" model's one vector for a window: the centre of the window's own audio. */
export function windowCentre(span: WindowSpan, sampleRateHz: number): number {
  return (span.start + span.own / 2) / sampleRateHz;
}
