#!/usr/bin/env node
// The openWakeWord speech-embedding chain with nothing but onnxruntime-node: the peer that
// `earshot embed --model oww-speech-embedding --format npy` is measured against (test/bench/embed.bench.ts).
//
// It does the same work as earshot's encoder (src/encoders/owwStream.ts, models/oww-speech-embedding.json):
// a 16 kHz mono WAV (16-bit PCM or 32-bit float, as the bench writes it) read in blocks of CHUNK samples;
// every 80 ms hop (1280 samples) melspectrogram.onnx runs alone on the hop plus the 480 samples before it
// ([1, 1760]; the first hop [1, 1280]) after scaling to the int16 range, each new mel frame becomes
// x / 10 + 2 in a rolling buffer of 76 frames that starts as ones, and the buffer after each hop is one
// window of embedding_model.onnx ([N, 76, 32, 1] -> [N, 1, 1, 96]), run in batches of 16 windows
// (OWW_EMBED_BATCH in owwStream.ts). Outputs as earshot's npy format: OUT (frames x 96 float32), OUT.timestamps.npy (float64
// seconds) and OUT.scene.npy (the mean). Default session options (ONNX Runtime picks the threads).
//
// Usage: node test/bench/bareEmbed.mjs IN.wav OUT.npy [MODEL_DIR]
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';

const HOP = 1280;
const CONTEXT = 480;
const FRAMES = 76;
const BINS = 32;
const DIM = 96;
const CHUNK = 65536; // frames read per block (audioReader.ts's DEFAULT_BLOCK_FRAMES)
const BATCH = 16; // windows per embedding call

const [input, output, modelDir = fileURLToPath(new URL('../../models/openwakeword', import.meta.url))] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node test/bench/bareEmbed.mjs IN.wav OUT.npy [MODEL_DIR]');
  process.exit(2);
}

// The WAV header: fmt (16-bit PCM or 32-bit float, mono, 16 kHz) and where the data chunk lies.
function readHeader(fd) {
  const head = Buffer.alloc(4096);
  const got = readSync(fd, head, 0, head.length, 0);
  if (got < 12 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') throw new Error(`${input}: not a RIFF/WAVE file`);
  let fmt;
  for (let pos = 12; pos + 8 <= got; ) {
    const id = head.toString('latin1', pos, pos + 4);
    const size = head.readUInt32LE(pos + 4);
    if (id === 'fmt ') fmt = { tag: head.readUInt16LE(pos + 8), channels: head.readUInt16LE(pos + 10), rate: head.readUInt32LE(pos + 12), bits: head.readUInt16LE(pos + 22) };
    if (id === 'data') {
      if (!fmt || fmt.channels !== 1 || fmt.rate !== 16000 || !((fmt.tag === 1 && fmt.bits === 16) || (fmt.tag === 3 && fmt.bits === 32))) {
        throw new Error(`${input}: needs 16 kHz mono 16-bit PCM or 32-bit float, got ${JSON.stringify(fmt)}`);
      }
      return { start: pos + 8, frames: Math.floor(size / (fmt.bits / 8)), float: fmt.tag === 3 };
    }
    pos += 8 + size + (size & 1);
  }
  throw new Error(`${input}: no data chunk in the first 4 KiB`);
}

function npy(data, shape) {
  const descr = data instanceof Float32Array ? '<f4' : '<f8';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.length === 1 ? `${shape[0]},` : shape.join(', ')}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

const mel = await ort.InferenceSession.create(join(modelDir, 'melspectrogram.onnx'));
const embedding = await ort.InferenceSession.create(join(modelDir, 'embedding_model.onnx'));
const fd = openSync(input, 'r');
const { start, frames: total, float } = readHeader(fd);
const hopsTotal = Math.floor(total / HOP);
const embeddings = new Float32Array(hopsTotal * DIM);
const raw = new Float32Array(CONTEXT + HOP);
const melBuffer = new Float32Array(FRAMES * BINS).fill(1);
const bytesPer = float ? 4 : 2;
const block = Buffer.alloc(CHUNK * bytesPer);
let hops = 0;
let pending = 0;
let windows = [];
const embed = async () => {
  const batch = new Float32Array(windows.length * FRAMES * BINS);
  windows.forEach((w, k) => batch.set(w, k * FRAMES * BINS));
  const out = await embedding.run({ [embedding.inputNames[0]]: new ort.Tensor('float32', batch, [windows.length, FRAMES, BINS, 1]) });
  embeddings.set(out[embedding.outputNames[0]].data, (hops - windows.length) * DIM);
  windows = [];
};
for (let offset = 0; offset < total; offset += CHUNK) {
  const n = Math.min(CHUNK, total - offset);
  readSync(fd, block, 0, n * bytesPer, start + offset * bytesPer);
  for (let i = 0; i < n; i++) {
    const v = float ? block.readFloatLE(4 * i) * 32768 : block.readInt16LE(2 * i);
    raw[CONTEXT + pending++] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    if (pending < HOP) continue;
    const audio = hops === 0 ? raw.slice(CONTEXT) : raw.slice();
    const out = await mel.run({ [mel.inputNames[0]]: new ort.Tensor('float32', audio, [1, audio.length]) });
    const spec = out[mel.outputNames[0]].data;
    const fresh = (Math.floor((audio.length - 512) / 160) + 1) * BINS;
    melBuffer.copyWithin(0, fresh);
    for (let k = 0; k < fresh; k++) melBuffer[melBuffer.length - fresh + k] = spec[spec.length - fresh + k] / 10 + 2;
    windows.push(melBuffer.slice());
    raw.copyWithin(0, HOP);
    pending = 0;
    hops++;
    if (windows.length === BATCH) await embed();
  }
}
if (windows.length > 0) await embed();
closeSync(fd);

// Timestamps: the centre of the real audio behind each window (owwTimestampS in src/encoders/owwStream.ts).
const timestamps = Float64Array.from({ length: hops }, (_, k) => {
  const lastFrame = Math.floor((HOP * (k + 1) - 512) / 160);
  return (Math.max(0, (lastFrame - FRAMES + 1) * 160) + lastFrame * 160 + 512) / 2 / 16000;
});
const acc = new Float64Array(DIM);
for (let t = 0; t < hops; t++) for (let d = 0; d < DIM; d++) acc[d] += embeddings[t * DIM + d];
const scene = Float32Array.from(acc, (v) => (hops > 0 ? v / hops : 0));
writeFileSync(output, npy(embeddings, [hops, DIM]));
writeFileSync(`${output}.timestamps.npy`, npy(timestamps, [hops]));
writeFileSync(`${output}.scene.npy`, npy(scene, [DIM]));
process.stderr.write(`wrote ${output}: ${hops} frames x ${DIM} dims\n`);
