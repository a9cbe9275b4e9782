import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from './commander.ts';
import { loadAudio } from '../audio/load.ts';
import { writeWav } from '../audio/wav.ts';
import { PACKAGE_ROOT } from '../paths.ts';
import { validateCondition } from '../scene/condition.ts';
import { openBanks, renderCondition } from '../scene/render.ts';
import { loudRenderNote, measuredLevels, signedDb } from './outputLevels.ts';
import { formatTable } from './table.ts';
import { makeDirectory } from '../makeDirectory.ts';

const DEMO_SPEECH_DIR = join(PACKAGE_ROOT, 'speech', 'digits', 'en');
const RATE_HZ = 16000;

/** A small tour of the scene engine on shipped audio: one clip, several conditions. */
const DEMO_SCENES: Record<string, object> = {
  'clean': {},
  'cafe-10dB': { snrDb: 10, noise: { ids: ['cafe'], sources: 1 } },
  'street-ir-airport-5dB': { snrDb: 5, room: { bank: 'street' }, noise: { ids: ['airport'], sources: 1 } },
  'room-0.6s-binaural-left': { room: { rt60S: 0.6 }, receiver: 'binaural', source: { azimuthDeg: 90, distanceM: 1.8 } },
  'room-1.0s-binaural-3src-0dB': { snrDb: 0, room: { rt60S: 1.0 }, receiver: 'binaural', noise: { ids: ['cafe', 'rain'], sources: 3 }, seed: 1 },
  'room-0.8s-foa-pink-5dB': { snrDb: 5, room: { rt60S: 0.8 }, receiver: 'foa', source: { azimuthDeg: -45 }, noise: { ids: ['pink'], sources: 2 } },
};

/** `earshot demo`: render the shipped spoken digits into a few scenes and report what was measured. */
export function demoCommand(): Command {
  return new Command('demo')
    .description('Render shipped speech (the English digits 0-9) into a handful of scenes, write them as WAVs and print what was measured.')
    .option('-o, --output-dir <dir>', 'where to write the scenes', 'earshot-demo')
    .option('--json', 'print each scene (file, condition, and the SNR, RT60, peak and samples past full scale measured on it) as JSON on stdout instead of the table')
    .action(async (opts: { outputDir: string; json?: boolean }) => {
      const files = (await readdir(DEMO_SPEECH_DIR)).filter((f) => f.endsWith('.wav')).sort();
      const clips = await Promise.all(files.map((f) => loadAudio(join(DEMO_SPEECH_DIR, f), { sampleRateHz: RATE_HZ, mono: true })));
      const speech = concat(clips.map((c) => c.channels[0]));
      const banks = await openBanks();
      await makeDirectory(opts.outputDir);
      const rows = [];
      const summaries = [];
      const notes = [];
      for (const [name, partial] of Object.entries(DEMO_SCENES)) {
        const condition = validateCondition(partial);
        const started = performance.now();
        const scene = await renderCondition(speech, condition, banks, RATE_HZ);
        const seconds = (performance.now() - started) / 1000;
        const file = join(opts.outputDir, `${name}.wav`);
        const levels = await writeWav(file, { sampleRateHz: RATE_HZ, channels: scene.channels }, 'float32');
        const measured = { ...scene.measured, ...measuredLevels(levels) };
        summaries.push({ scene: name, file, format: 'float32', outputGainDb: levels.outputGainDb, channels: scene.channels.length, condition, measured });
        notes.push(loudRenderNote(file, levels, 'float32'));
        rows.push({
          scene: name,
          channels: scene.channels.length,
          snrDb: scene.measured.snrDb === null ? 'clean' : (Math.round(scene.measured.snrDb * 100) / 100 + 0).toFixed(2),
          rt60S: scene.measured.rt60S?.toFixed(2) ?? 'dry',
          'peak dBFS': signedDb(levels.peakDbfs),
          'past ±1': measured.clippedSamples,
          'render (incl. IRs)': `${seconds.toFixed(2)} s`,
          file,
        });
      }
      process.stdout.write(opts.json ? `${JSON.stringify(summaries, null, 2)}\n` : formatTable(rows, Object.keys(rows[0])));
      for (const note of notes) if (note) process.stderr.write(`${note}\n`);
      process.stderr.write(`\n${(speech.length / RATE_HZ).toFixed(1)} s of speech rendered into ${rows.length} scenes in ${opts.outputDir}/. Try \`earshot render --help\` next.\n`);
    });
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
