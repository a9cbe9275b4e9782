// Output speed, the goals that used to sit in unit tests as wall-clock bounds:
// encoding 10 M samples (2 channels × 5 M at 48 kHz) as a WAV, float32 and 16-bit PCM
// (goal: under 2 s each), and rendering the sweep report of a 3-model, 6-SNR, 4-RT60,
// 2-azimuth grid with 3 seeds (goal: under 5 s). Best of 3. Run: npm run bench -- outputs
import { encodeWav } from '../../src/audio/wav.ts';
import { renderReport } from '../../src/sweep/report.ts';
import { sine } from '../audio/helpers.ts';
import { buildResults } from '../sweep/helpers/results.ts';
import { bestOfMs, type BenchReport } from './report.ts';

const RUNS = 3;

export default async function run(): Promise<BenchReport> {
  const channels = [sine(5_000_000, 48000, 440, 0.5), sine(5_000_000, 48000, 660, 0.5)];
  const rows: BenchReport['rows'] = (['float32', 'pcm16'] as const).map((format) => ({
    metric: `encodeWav, 2 × 5 M samples at 48 kHz, ${format}`,
    value: bestOfMs(RUNS, () => encodeWav({ sampleRateHz: 48000, channels }, format)),
    unit: 'ms',
    target: '< 2000 ms',
  }));
  const grid = buildResults({ models: ['beats', 'clap', 'whisper'], axes: { snrDb: [-5, 0, 5, 10, 20, 'clean'], room: [0, 0.3, 0.6, 1], azimuthDeg: [0, 90] }, seeds: 3 });
  let reportMs = Infinity;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    await renderReport(grid);
    reportMs = Math.min(reportMs, performance.now() - t);
  }
  rows.push({ metric: 'renderReport, 3 models × 6 SNR × 4 RT60 × 2 azimuths, 3 seeds', value: reportMs, unit: 'ms', target: '< 5000 ms' });
  return { name: 'outputs: WAV encoding and the sweep report', rows };
}
