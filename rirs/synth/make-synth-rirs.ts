// Makes the synthesized IRs of the shipped RIR bank with earshot's own room
// simulator and rewrites their entries in rirs/manifest.json (measured entries
// are kept). Rerun after changing the simulator:  npx tsx rirs/synth/make-synth-rirs.ts
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulateRir, defaultRoomFor, type ReceiverSpec } from '../../src/scene/room/index.ts';
import { writeWav } from '../../src/audio/wav.ts';
import { measureRt60 } from '../../src/dsp/rt60.ts';

const RATE_HZ = 16000;
const here = fileURLToPath(new URL('.', import.meta.url));

const ROOMS = [
  { name: 'office', rt60S: 0.4, source: { azimuthDeg: 30, elevationDeg: 0, distanceM: 1.2 }, what: 'small office' },
  { name: 'lounge', rt60S: 0.8, source: { azimuthDeg: -60, elevationDeg: 0, distanceM: 2 }, what: 'living room / lounge' },
  { name: 'hall', rt60S: 1.5, source: { azimuthDeg: 120, elevationDeg: 10, distanceM: 3.5 }, what: 'hall' },
];
const RECEIVERS: { id: string; spec: ReceiverSpec; layout: string }[] = [
  { id: 'binaural', spec: { kind: 'binaural' }, layout: 'binaural' },
  { id: 'foa', spec: { kind: 'foa' }, layout: 'foa' },
];

const entries = [];
for (const room of ROOMS) {
  const dimensionsM = defaultRoomFor(room.rt60S);
  for (const r of RECEIVERS) {
    const channels = await simulateRir({ room: { dimensionsM, rt60S: room.rt60S }, source: room.source, receiver: r.spec, sampleRateHz: RATE_HZ, seed: 1 });
    const file = `synth/${room.name}-${r.id}.wav`;
    await writeWav(join(here, '..', file), { sampleRateHz: RATE_HZ, channels }, 'float32');
    const measured = measureRt60(channels, RATE_HZ).rt60S;
    const { azimuthDeg, elevationDeg, distanceM } = room.source;
    entries.push({
      id: `${room.name}-${r.id}`,
      file,
      kind: 'synthesized',
      layout: r.layout,
      description: `simulated ${room.what}, ${dimensionsM.join('×')} m, RT60 ${room.rt60S} s (measured ${measured.toFixed(2)} s), talker at ${azimuthDeg}° az, ${elevationDeg}° el, ${distanceM} m, ${r.layout === 'foa' ? 'first-order ambisonics (ACN/SN3D)' : 'KEMAR binaural'}, 16 kHz`,
      license: r.layout === 'binaural' ? 'MIT-KEMAR (see rirs/hrtf/CREDITS.md)' : 'Apache-2.0',
      credit: 'rendered by earshot\'s shoebox simulator' + (r.layout === 'binaural' ? ' through the MIT KEMAR HRTF (Gardner & Martin, 1994)' : ''),
    });
  }
}
const manifestPath = join(here, '..', 'manifest.json');
const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { rirs: { kind: string }[] };
manifest.rirs = [...manifest.rirs.filter((e) => e.kind !== 'synthesized'), ...entries];
await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
process.stderr.write(`wrote ${entries.length} IRs to rirs/synth and their entries to rirs/manifest.json\n`);
