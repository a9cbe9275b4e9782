// Scene rendering throughput on one core: a binaural scene with a 2 s RIR
// (simulated room, RT60 1.6 s) and 5 noise sources, at 16 kHz, over 60 s of
// shipped speech. "Render" is renderScene on a prepared scene (what runs per
// clip in a sweep and per chunk live); "prepare" is the one-off per condition
// (simulating the 6 binaural IRs, loading the noise). The convolution of the
// same signals alone is timed beside it, so the ratio says what the rest of
// the recipe costs. Best of 3. Run: npm run bench -- scene
import { convolve } from '../../src/dsp/convolver.ts';
import { validateCondition } from '../../src/scene/condition.ts';
import { openBanks, renderScene } from '../../src/scene/render.ts';
import { prepareScene } from '../../src/scene/prepare.ts';
import { bestOfMs, shippedSpeech, type BenchReport } from './report.ts';

const SR = 16000;
const SECONDS = 60;
const RUNS = 3;



export default async function run(): Promise<BenchReport> {
  const x = await shippedSpeech(SECONDS, SR);
  const banks = await openBanks();
  const condition = validateCondition({
    snrDb: 5,
    room: { rt60S: 1.6 },
    receiver: 'binaural',
    source: { azimuthDeg: 30, distanceM: 1.5 },
    noise: { ids: ['cafe'], sources: 5 },
    seed: 3,
  });
  await prepareScene(condition, banks, SR); // warm: HRTF load and resampling are cached per process
  let t = performance.now();
  const scene = await prepareScene(condition, banks, SR);
  const prepareMs = performance.now() - t;
  const irSeconds = scene.sourceRir![0].length / SR;
  const renderMs = bestOfMs(RUNS, () => renderScene(x, scene));
  const convolveMs = bestOfMs(RUNS, () => {
    convolve(x, scene.sourceRir!);
    convolve(x, scene.noiseLayers[0].rir!);
  });
  t = performance.now();
  renderScene(x.subarray(0, 10 * SR), scene);
  const shortMs = performance.now() - t;
  const rt = (ms: number, seconds = SECONDS) => seconds / (ms / 1000);
  return {
    name: `Scene rendering: binaural, ${irSeconds.toFixed(2)} s RIR, 5 noise sources, 16 kHz, ${SECONDS} s of speech, one core`,
    rows: [
      { metric: 'render a prepared scene', value: rt(renderMs), unit: 'x real time', target: '>= 100x real time' },
      { metric: 'the two convolutions alone (source IR, summed noise IR)', value: rt(convolveMs), unit: 'x real time' },
      { metric: 'render / convolutions alone', value: rt(renderMs), unit: 'x real time', baseline: rt(convolveMs), ratio: convolveMs / renderMs },
      { metric: 'prepare the condition (6 binaural IRs simulated, noise loaded)', value: prepareMs, unit: 'ms' },
      { metric: 'prepare + render a 10 s clip', value: rt(prepareMs + shortMs, 10), unit: 'x real time' },
    ],
  };
}
