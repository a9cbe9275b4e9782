import { describe, expect, it } from 'vitest';
import { FRAME_AUDIO, FRAME_EMBEDDINGS, decodeFrame, encodeFrame, encodeMessage, parseMessage } from '../../client/src/lib/wire.ts';
import { SpectrogramBuilder } from '../../client/src/lib/spectrogram.ts';
import { fitPca2, projectPca2 } from '../../client/src/lib/pca.ts';
import { StreamResampler } from '../../client/src/lib/resample.ts';
import { parseSession, serializeSession, sessionAudio, type RecordedEvent } from '../../client/src/lib/session.ts';
import { encodeWavFloat32 } from '../../client/src/lib/wav.ts';
import { ModelTrack } from '../../client/src/lib/track.ts';
import { ClipLatch, describeClip, levelDbfs } from '../../client/src/lib/levels.ts';
import { AudioView } from '../../client/src/lib/audioView.ts';
import { resultMsg } from '../helpers/resultMsg.ts';

// The dashboard's pure modules (client/src/lib), run in Node: what the browser tests cannot pin down.

function sine(freqHz: number, rateHz: number, n: number, amp = 1): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freqHz * i) / rateHz));
}

function chunked(x: Float32Array, sizes: number[]): Float32Array[] {
  const out: Float32Array[] = [];
  let at = 0;
  for (let k = 0; at < x.length; k++) {
    const n = sizes[k % sizes.length];
    out.push(x.subarray(at, at + n));
    at += n;
  }
  return out;
}

describe('protocol frames', () => {
  it('round-trips a binary frame through the 16-byte ESHT header', () => {
    const values = Float32Array.from([1, -2.5, 3e-7, 0]);
    const buf = encodeFrame(FRAME_AUDIO, values);
    expect(buf.byteLength).toBe(16 + 16);
    expect(Buffer.from(buf, 0, 4).toString('latin1')).toBe('ESHT');
    expect(new DataView(buf).getUint32(4, true)).toBe(FRAME_AUDIO);
    expect(new DataView(buf).getUint32(8, true)).toBe(4);
    expect(Array.from(decodeFrame(buf, FRAME_AUDIO))).toEqual(Array.from(values));
  });

  it('names what is wrong with a bad frame', () => {
    const good = encodeFrame(FRAME_EMBEDDINGS, new Float32Array(3));
    expect(() => decodeFrame(good, FRAME_AUDIO)).toThrow(/kind 1 where kind 2/);
    expect(() => decodeFrame(good.slice(0, 20), FRAME_EMBEDDINGS)).toThrow(/says 3 values but carries 1/);
    expect(() => decodeFrame(new ArrayBuffer(8), FRAME_AUDIO)).toThrow(/shorter than its 16-byte header/);
    const bad = good.slice(0);
    new Uint8Array(bad)[0] = 0x58;
    expect(() => decodeFrame(bad, FRAME_EMBEDDINGS)).toThrow(/ESHT/);
  });

  it('stamps v: 1 on what it sends and refuses another protocol version', () => {
    expect(JSON.parse(encodeMessage({ type: 'ping', t: 5 }))).toEqual({ v: 1, type: 'ping', t: 5 });
    expect(parseMessage('{"v":1,"type":"pong","t":5}')).toMatchObject({ type: 'pong', t: 5 });
    expect(() => parseMessage('{"v":2,"type":"pong"}')).toThrow(/protocol v2/);
    expect(() => parseMessage('nope')).toThrow(/not JSON/);
    expect(() => parseMessage('{"v":1}')).toThrow(/without a type/);
  });
});

describe('SpectrogramBuilder', () => {
  it('reads a full-scale sine on a bin centre as 0 dBFS in that bin', () => {
    const spec = new SpectrogramBuilder({ fftSize: 512, hopSize: 256, minDb: -40, maxDb: 40 });
    const cols = spec.push(sine(2000, 16000, 4096)); // bin 64 of 512 at 16 kHz
    expect(cols.length).toBe(15);
    const col = cols[5];
    const peak = col.indexOf(Math.max(...col));
    expect(peak).toBe(64);
    expect(col[peak] * 80 - 40).toBeCloseTo(0, 1);
  });

  it('gives the same columns whatever the chunking, and zeros for silence', () => {
    const x = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i * 0.37) * Math.cos(i * 0.011));
    const whole = new SpectrogramBuilder().push(x);
    const parts = new SpectrogramBuilder();
    const pieces = chunked(x, [1, 100, 333, 1280, 7]).flatMap((c) => parts.push(c));
    expect(pieces.length).toBe(whole.length);
    pieces.forEach((c, i) => expect(Array.from(c)).toEqual(Array.from(whole[i])));
    const silent = new SpectrogramBuilder().push(new Float32Array(1024));
    expect(silent.every((c) => c.every((v) => v === 0))).toBe(true);
  });

  it('rejects settings that cannot work', () => {
    expect(() => new SpectrogramBuilder({ fftSize: 500 })).toThrow(/power of two/);
    expect(() => new SpectrogramBuilder({ hopSize: 0 })).toThrow(/hopSize/);
    expect(() => new SpectrogramBuilder({ minDb: 0, maxDb: -10 })).toThrow(/minDb/);
  });
});

describe('fitPca2', () => {
  // Points on a known plane in 24-d (axes e0 and e3, variances 9 and 1) plus a little noise.
  const rows = Array.from({ length: 200 }, (_, i) => {
    const r = new Float32Array(24);
    r[0] = 3 * Math.sin(i * 0.7) + 5;
    r[3] = Math.cos(i * 1.3) - 2;
    for (let j = 0; j < 24; j++) r[j] += 0.01 * Math.sin(i * 17.1 + j * 3.3);
    return r;
  });

  it('finds the plane the points lie on, largest variance first', () => {
    const pca = fitPca2(rows)!;
    expect(Math.abs(pca.axes[0][0])).toBeGreaterThan(0.999);
    expect(Math.abs(pca.axes[1][3])).toBeGreaterThan(0.999);
    expect(pca.variance[0]).toBeGreaterThan(pca.variance[1]);
    expect((pca.variance[0] + pca.variance[1]) / pca.totalVariance).toBeGreaterThan(0.999);
    const [x, y] = projectPca2(pca, pca.mean);
    expect(Math.hypot(x, y)).toBeLessThan(1e-9);
  });

  it('keeps the signs of a previous fit on a refit', () => {
    const first = fitPca2(rows)!;
    const flipped = { ...first, axes: [first.axes[0].map((v) => -v), first.axes[1].map((v) => -v)] as [Float64Array, Float64Array] };
    const refit = fitPca2(rows.slice(1), flipped)!;
    expect(Math.sign(refit.axes[0][0])).toBe(-Math.sign(first.axes[0][0]));
    expect(Math.sign(refit.axes[1][3])).toBe(-Math.sign(first.axes[1][3]));
  });

  it('needs three rows that differ', () => {
    expect(fitPca2(rows.slice(0, 2))).toBeNull();
    expect(fitPca2([rows[0], rows[0], rows[0]])).toBeNull();
  });
});

describe('StreamResampler', () => {
  it('downsamples 48 kHz to 16 kHz keeping a 1 kHz tone and its level', () => {
    const r = new StreamResampler(48000, 16000);
    const out = r.push(sine(1000, 48000, 48000, 0.5));
    expect(out.length).toBeGreaterThan(15900);
    const steady = out.subarray(1000, 15000);
    expect(levelDbfs(steady).rmsDb).toBeCloseTo(20 * Math.log10(0.5 / Math.SQRT2), 1);
    // Phase: compare with the ideal 16 kHz tone, delayed by nothing (zero-phase kernel).
    const ideal = sine(1000, 16000, 16000, 0.5);
    let err = 0;
    for (let i = 1000; i < 15000; i++) err = Math.max(err, Math.abs(out[i] - ideal[i]));
    expect(err).toBeLessThan(2e-3);
  });

  it('removes a tone above the new Nyquist instead of folding it down (> 60 dB)', () => {
    const out = new StreamResampler(48000, 16000).push(sine(11000, 48000, 48000));
    expect(levelDbfs(out.subarray(1000, 15000)).rmsDb).toBeLessThan(-60);
  });

  it('gives the same samples whatever the chunking (44.1 kHz)', () => {
    const x = Float32Array.from({ length: 20000 }, (_, i) => Math.sin(i * 0.05) + 0.3 * Math.sin(i * 0.9));
    const whole = new StreamResampler(44100, 16000).push(x);
    const r = new StreamResampler(44100, 16000);
    const parts = chunked(x, [128, 2048, 1, 999]).map((c) => r.push(c));
    const joined = Float32Array.from(parts.flatMap((p) => Array.from(p)));
    expect(joined.length).toBe(whole.length);
    for (let i = 0; i < whole.length; i++) expect(joined[i]).toBeCloseTo(whole[i], 5);
  });

  it('passes equal rates through', () => {
    const x = Float32Array.from([1, 2, 3]);
    expect(Array.from(new StreamResampler(16000, 16000).push(x))).toEqual([1, 2, 3]);
  });
});

const result = resultMsg;

describe('session files', () => {
  it('round-trip messages and float32 payloads, and give back the audio tracks', () => {
    const events: RecordedEvent[] = [
      { atMs: 0, msg: { type: 'condition', streamId: 's1', condition: { snrDb: 5, room: null, source: { azimuthDeg: 0, elevationDeg: 0, distanceM: 1.5 }, noise: { ids: ['cafe'], sources: 1 }, seed: 0 }, conditionVersion: 1 } },
      { atMs: 10, msg: { type: 'audio', streamId: 's1', t0S: 0, sampleRateHz: 16000, samples: 2 }, data: Float32Array.from([0.1, 0.2, 0.3, 0.4]) },
      { atMs: 20, msg: result(0), data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      { atMs: 30, msg: { type: 'audio', streamId: 's1', t0S: 0.1, sampleRateHz: 16000, samples: 1 }, data: Float32Array.from([-1, 1]) },
    ];
    const back = parseSession(serializeSession(events, new Date(0)));
    expect(back.map((e) => e.msg)).toEqual(events.map((e) => e.msg));
    expect(Array.from(back[2].data!)).toEqual([1, 2, 3, 4, 5, 6]);
    const audio = sessionAudio(back)!;
    expect(audio.sampleRateHz).toBe(16000);
    expect(Array.from(audio.clean)).toEqual(Array.from(Float32Array.from([0.1, 0.2, -1])));
    expect(Array.from(audio.degraded)).toEqual(Array.from(Float32Array.from([0.3, 0.4, 1])));
  });

  it('say why a file is not a session', () => {
    expect(() => parseSession('{')).toThrow(/not JSON/);
    expect(() => parseSession('{"format":"other"}')).toThrow(/not an earshot session/);
    expect(() => parseSession('{"format":"earshot-session","version":9,"events":[]}')).toThrow(/version 9/);
    expect(() => parseSession('{"format":"earshot-session","version":1,"events":[{"atMs":0}]}')).toThrow(/event 0/);
  });
});

describe('encodeWavFloat32', () => {
  it('writes a float WAV header and interleaved samples', async () => {
    const blob = encodeWavFloat32([Float32Array.from([0.5, -0.5]), Float32Array.from([1.5, 0])], 16000);
    const v = new DataView(await blob.arrayBuffer());
    expect(v.byteLength).toBe(44 + 16);
    expect(v.getUint16(20, true)).toBe(3);
    expect(v.getUint16(22, true)).toBe(2);
    expect(v.getUint32(24, true)).toBe(16000);
    expect([0, 1, 2, 3].map((i) => v.getFloat32(44 + 4 * i, true))).toEqual([0.5, 1.5, -0.5, 0]);
    expect(() => encodeWavFloat32([new Float32Array(2), new Float32Array(3)], 16000)).toThrow(/same length/);
  });
});

describe('ModelTrack', () => {
  it('keeps the last `capacity` windows as fresh arrays, probe series aligned with time', () => {
    const track = new ModelTrack('m', { capacity: 4, projectionWindows: 5 });
    let snap = track.push(result(0, false), Float32Array.from([1, 0, 0]), Float32Array.from([1, 0, 0]), 1100);
    expect(snap.probe).toBeNull();
    const before = snap.t;
    snap = track.push(result(1), Float32Array.from([1, 1, 1]), Float32Array.from([1, 1, 0]), 1100);
    // A probe that shows up late starts with a gap back to the start of the time axis.
    expect(snap.probe!.clean[0]).toEqual([null, 0.9]);
    for (let i = 2; i < 6; i++) snap = track.push(result(i), Float32Array.from([i, i * i, 1]), Float32Array.from([i, i, 0]), 1100);
    expect(before).toEqual([0.78]);
    expect(snap.t.length).toBe(4);
    expect(snap.cosine.at(-1)).toBeCloseTo(0.55);
    expect(snap.probe!.clean[0]).toEqual([0.9, 0.9, 0.9, 0.9]);
    expect(snap.probe!.degraded[1]).toEqual([0.6, 0.6, 0.6, 0.6]);
    expect(snap.latencyMs.at(-1)).toBe(100);
    expect(snap.projection!.clean.length).toBe(10);
    expect(snap.projection!.explained).toBeGreaterThan(0.99);
  });
});

describe('clip lamp', () => {
  it('ClipLatch lights on a frame past full scale and holds for 1 s of stream time, summing the clipping frames within it', () => {
    const latch = new ClipLatch();
    const at = (t: number, n = 0, db = -6) => latch.push(t, n, db);
    expect(at(0)).toEqual({ lit: false, clippedSamples: 0, peakDbfs: -Infinity });
    expect(at(0.5, 5, 3)).toEqual({ lit: true, clippedSamples: 5, peakDbfs: 3 });
    expect(at(0.75)).toEqual({ lit: true, clippedSamples: 5, peakDbfs: 3 });
    expect(at(1, 2, 1.5)).toEqual({ lit: true, clippedSamples: 7, peakDbfs: 3 });
    expect(at(1.25)).toEqual({ lit: true, clippedSamples: 7, peakDbfs: 3 });
    // The frame at 0.5 s has aged out; the one at 1 s still holds the lamp.
    expect(at(1.5)).toEqual({ lit: true, clippedSamples: 2, peakDbfs: 1.5 });
    expect(at(2)).toEqual({ lit: false, clippedSamples: 0, peakDbfs: -Infinity });
    at(2.25, 9, 8);
    latch.reset();
    expect(at(0)).toEqual({ lit: false, clippedSamples: 0, peakDbfs: -Infinity });
  });

  it('the tooltip gives the count and the peak', () => {
    expect(describeClip({ lit: true, clippedSamples: 1803, peakDbfs: 7.77 })).toMatch(/1803 samples past full scale in the last second, peak \+7\.8 dBFS/);
    expect(describeClip({ lit: false, clippedSamples: 0, peakDbfs: -Infinity })).toMatch(/no samples past full scale/);
  });

  it("AudioView feeds the lamp from the server's all-channel figures, not the mono mix (none in older recordings: dark)", () => {
    const view = new AudioView();
    const frame = () => new Float32Array(3200).fill(0.1);
    const msg = { type: 'audio' as const, streamId: 's', sampleRateHz: 16000, samples: 1600 };
    expect(view.push({ ...msg, t0S: 0 }, frame()).levels.clip.lit).toBe(false);
    const lit = view.push({ ...msg, t0S: 0.1, degradedPeakDbfs: 4.5, degradedClippedSamples: 12 }, frame()).levels;
    expect(lit.clip).toEqual({ lit: true, clippedSamples: 12, peakDbfs: 4.5 });
    expect(lit.degraded.peakDb).toBeCloseTo(-20, 4); // the meter's tick still shows the mono mix
    expect(view.push({ ...msg, t0S: 1.2, degradedPeakDbfs: -20, degradedClippedSamples: 0 }, frame()).levels.clip.lit).toBe(false);
  });
});
