import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));
const OUTPUT = fileURLToPath(new URL('../output', import.meta.url));
const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
/** The most clips per class any user asks for; smaller sets are the first clips of this one. */
const FULL = 20;
const run = promisify(execFile);

const exists = (path: string) => stat(path).then(() => true, () => false);

/**
 * The probe check's data set, built into test/output (kept between runs): the shipped
 * English spoken digits plus keywords synthesized by test/fixtures/keywords/make-keywords.sh
 * (espeak-ng + sox; deterministic): classes 0-9 (the recording plus `perClass`
 * synthesized clips of the digit's name) and yes/no/up/down/left/right/stop/go.
 *
 * The script's clip i depends on i alone, so a set of n clips a class is the first n of
 * the 20-clip set: that one is synthesized once and the smaller ones are copied from it.
 * The tests get these folders from test/globalSetup.ts (inject('probeData')), which builds
 * them once before any test file starts; only one process may build at a time.
 */
export async function ensureProbeData(perClass = FULL): Promise<string> {
  const root = join(OUTPUT, `probe-data-${perClass}`);
  if (await exists(join(root, 'go'))) return root;
  if (perClass > FULL) return synthesize(root, perClass);
  const full = perClass === FULL ? await synthesize(root, FULL) : await ensureProbeData(FULL);
  if (perClass === FULL) return full;
  const build = `${root}.build`;
  await rm(build, { recursive: true, force: true });
  for (const cls of await readdir(full)) {
    await mkdir(join(build, cls), { recursive: true });
    // recorded_en.wav, then word_000.wav, word_001.wav, ...: sorted, the recording is not a numbered clip.
    const files = (await readdir(join(full, cls))).sort();
    const numbered = files.filter((f) => /_\d{3}\.wav$/.test(f) && !f.startsWith('recorded_')).slice(0, perClass);
    for (const f of [...files.filter((f) => f.startsWith('recorded_')), ...numbered]) await copyFile(join(full, cls, f), join(build, cls, f));
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
  const script = join(FIXTURES, 'keywords', 'make-keywords.sh');
  // The digits' names and the keywords side by side: one espeak-ng at a time each.
  await Promise.all([
    run('bash', [script, '--per-class', String(perClass), '--words', DIGIT_WORDS.join(','), join(tmp, 'digits')]),
    run('bash', [script, '--per-class', String(perClass), join(tmp, 'keywords')]),
  ]);
  await mkdir(build, { recursive: true });
  for (const [digit, word] of DIGIT_WORDS.entries()) {
    const dir = join(build, String(digit));
    await mkdir(dir, { recursive: true });
    await copyFile(join(FIXTURES, 'speech', 'digits', 'en', `${digit}.wav`), join(dir, 'recorded_en.wav'));
    for (const f of await readdir(join(tmp, 'digits', word))) await copyFile(join(tmp, 'digits', word, f), join(dir, f));
  }
  for (const word of (await readdir(join(tmp, 'keywords'))).filter((w) => !w.endsWith('.csv'))) {
    await rename(join(tmp, 'keywords', word), join(build, word));
  }
  await rm(tmp, { recursive: true, force: true });
  await rename(build, root);
  return root;
}
