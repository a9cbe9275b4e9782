import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SPEECH = fileURLToPath(new URL('../../speech', import.meta.url));
const OUTPUT = fileURLToPath(new URL('../output', import.meta.url));
const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const run = promisify(execFile);

const exists = (path: string) => stat(path).then(() => true, () => false);

/**
 * A probe data set, built into test/output (kept between runs): the shipped English spoken
 * digits plus keywords synthesized by speech/make-keywords.sh (espeak-ng + sox;
 * deterministic): classes 0-9 (the recording plus `perClass` synthesized clips of the digit's
 * name) and yes/no/up/down/left/right/stop/go.
 *
 * The script's clip i depends on i alone, so a set of n clips a class is the first n of any
 * larger set: copied from one already built, else synthesized. The tests get their sets from
 * test/globalSetup (inject('probeData')), which builds them once, largest first, before any test
 * file starts; only one process may build at a time.
 */
export async function ensureProbeData(perClass = 20): Promise<string> {
  const root = join(OUTPUT, `probe-data-${perClass}`);
  if (await exists(join(root, 'go'))) return root;
  const larger = [];
  for (const name of await readdir(OUTPUT).catch(() => [] as string[])) {
    const n = Number(/^probe-data-(\d+)$/.exec(name)?.[1]);
    if (n > perClass && (await exists(join(OUTPUT, name, 'go')))) larger.push(n);
  }
  if (larger.length === 0) return synthesize(root, perClass);
  const from = join(OUTPUT, `probe-data-${Math.min(...larger)}`);
  const build = `${root}.build`;
  await rm(build, { recursive: true, force: true });
  for (const cls of await readdir(from)) {
    await mkdir(join(build, cls), { recursive: true });
    // recorded_en.wav (the digits' recording), then word_000.wav, word_001.wav, ...
    const files = (await readdir(join(from, cls))).sort();
    const numbered = files.filter((f) => /_\d{3}\.wav$/.test(f) && !f.startsWith('recorded_')).slice(0, perClass);
    for (const f of [...files.filter((f) => f.startsWith('recorded_')), ...numbered]) await copyFile(join(from, cls, f), join(build, cls, f));
  }
  await rename(build, root);
  return root;
}

async function synthesize(root: string, perClass: number): Promise<string> {
  for (const tool of ['espeak-ng', 'sox']) {
    try {
      await run('which', [tool]);
    } catch {
      throw new Error(`${tool} is missing: the keyword data set is synthesized with espeak-ng and sox (apt-get install espeak-ng sox)`);
    }
  }
  const tmp = `${root}.tmp`;
  const build = `${root}.build`;
  await Promise.all([tmp, build].map((d) => rm(d, { recursive: true, force: true })));
  const script = join(SPEECH, 'make-keywords.sh');
  // The digits' names and the keywords side by side: one espeak-ng at a time each.
  await Promise.all([
    run('bash', [script, '--per-class', String(perClass), '--words', DIGIT_WORDS.join(','), join(tmp, 'digits')]),
    run('bash', [script, '--per-class', String(perClass), join(tmp, 'keywords')]),
  ]);
  await mkdir(build, { recursive: true });
  for (const [digit, word] of DIGIT_WORDS.entries()) {
    const dir = join(build, String(digit));
    await mkdir(dir, { recursive: true });
    await copyFile(join(SPEECH, 'digits', 'en', `${digit}.wav`), join(dir, 'recorded_en.wav'));
    for (const f of await readdir(join(tmp, 'digits', word))) await copyFile(join(tmp, 'digits', word, f), join(dir, f));
  }
  for (const word of (await readdir(join(tmp, 'keywords'))).filter((w) => !w.endsWith('.csv'))) {
    await rename(join(tmp, 'keywords', word), join(build, word));
  }
  await rm(tmp, { recursive: true, force: true });
  await rename(build, root);
  return root;
}
