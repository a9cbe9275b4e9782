// Child process of test/audio/boundedMemory.test.ts: the long-file path of `earshot embed`
// (read -> encoder stream -> npy) on a WAV, with a stand-in model cheap enough for an hour.
// Run: node dist/test/helpers/boundedMemoryChild.js IN.wav OUT_DIR
import { join } from 'node:path';
import { openAudioStream } from '../../src/audio/convertReader.ts';
import { embedReader } from '../../src/encoders/embedStream.ts';
import { openEmbeddingOutput } from '../../src/encoders/embedOutput.ts';
import type { ModelManifest } from '../../src/encoders/manifest.ts';
import type { Encoder, TimestampStream } from '../../src/encoders/types.ts';

const [input, outDir] = process.argv.slice(2);
const reader = await openAudioStream(input);
const out = await openEmbeddingOutput(join(outDir, 'e.npy'), 'npy', 2, {});
const summary = await embedReader(frameEnergyEncoder(reader.sampleRateHz), reader, { onFrames: (ts) => out.frames(ts) });
await out.finish(summary);
await reader.close();
if (summary.frames === 0) throw new Error(`no frames from ${input}`);

/**
 * A stand-in model, cheap enough for an hour of audio: one 2-d frame (mean square, peak)
 * per 100 ms, streamed like the real encoders (it holds less than one frame of samples).
 */
function frameEnergyEncoder(sampleRateHz: number): Encoder {
  const hop = Math.round(sampleRateHz / 10);
  const manifest = { id: 'frame-energy', sampleRateHz, channels: 1, embeddingSize: 2 } as ModelManifest;
  const stream = (): TimestampStream => {
    let held = new Float32Array(0);
    let index = 0;
    const frames = (x: Float32Array, all: boolean) => {
      const count = all ? Math.ceil(x.length / hop) : Math.floor(x.length / hop);
      const embeddings = new Float32Array(2 * count);
      const timestampsS = new Float64Array(count);
      for (let f = 0; f < count; f++) {
        const part = x.subarray(f * hop, (f + 1) * hop);
        let e = 0;
        let p = 0;
        for (const v of part) {
          e += v * v;
          p = Math.max(p, Math.abs(v));
        }
        embeddings[2 * f] = e / part.length;
        embeddings[2 * f + 1] = p;
        timestampsS[f] = ((index + f) * hop + part.length / 2) / sampleRateHz;
      }
      index += count;
      held = x.slice(count * hop);
      return { dim: 2, frames: count, embeddings, timestampsS };
    };
    return {
      push: async ([x]) => {
        const joined = new Float32Array(held.length + x.length);
        joined.set(held);
        joined.set(x, held.length);
        return frames(joined, false);
      },
      end: async () => frames(held, true),
    };
  };
  return {
    manifest,
    timestampStream: stream,
    timestampEmbeddings: async (c) => {
      const s = stream();
      await s.push(c);
      return s.end();
    },
    sceneEmbedding: async () => new Float32Array(2),
  };
}
