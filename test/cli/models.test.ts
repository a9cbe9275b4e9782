import { beforeAll, describe, expect, it } from 'vitest';
import { runMain, type CliRun } from '../helpers/cli.ts';

// In-process through main(): the output and exit codes are under test, not the process boundary (test/cli/render.test.ts and others cover that).

let json: CliRun;
let text: CliRun;
beforeAll(async () => {
  [json, text] = await Promise.all([
    runMain(['models', '--json', '--models-dir', 'test/fixtures/models']),
    runMain(['models', '--models-dir', 'test/fixtures/models']),
  ]);
}, 120_000);

describe('earshot models', () => {
  it('--json prints one row per manifest with the input contract, embedding size, licence and file state', () => {
    expect(json.code, json.stderr).toBe(0);
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
    const tiny = rows.find((r) => r.id === 'tiny-waveform');
    expect(tiny).toMatchObject({
      family: 'waveform',
      input: { name: 'waveform', layout: 'B,N', sampleRateHz: 16000, channels: 1, windowS: 0.01, hopS: 0.0005 },
      output: { name: 'embeddings', layout: 'B,T,D' },
      embeddingSize: 8,
      license: 'Apache-2.0',
      origin: 'user',
      filesPresent: true,
      missing: [],
    });
    expect(rows.find((r) => r.id === 'tiny-absent')).toMatchObject({ filesPresent: false, missing: [expect.stringMatching(/not-installed\/absent\.onnx$/)] });
    expect(rows.find((r) => r.id === 'tiny-naive')).toMatchObject({ family: 'naive-logmel', filesPresent: true });
    for (const r of rows.filter((r) => r.origin === 'shipped')) expect(typeof r.embeddingSize, String(r.id)).toBe('number');
  });

  it('prints a table for people', () => {
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^id +family +input +rateHz +ch +window\/hop s +dim +license +files$/m);
    expect(text.stdout).toMatch(/^tiny-waveform +waveform +waveform \[B,N\] +16000 +1 +0\.01\/0\.0005 +8 +Apache-2\.0 +present$/m);
    expect(text.stdout).toMatch(/^tiny-absent .* missing \(npm install\)$/m);
  });

  it('a bad --models-dir fails with one clear line and a non-zero exit', async () => {
    const run = await runMain(['models', '--models-dir', 'test/fixtures/nothing-here']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^earshot: error: .*test\/fixtures\/nothing-here: no such folder; give a folder of model manifests \(\*\.json\)\.\n$/);
  });
});
