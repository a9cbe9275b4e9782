import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));
const OUTPUT = fileURLToPath(new URL('../output', import.meta.url));
const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/**
 * The probe check's data set, built once into test/output: the shipped English
 * spoken digits plus keywords synthesized by test/fixtures/keywords/make-keywords.sh
 * (espeak-ng + sox; deterministic): classes 0-9 (the recording plus `perClass`
 * synthesized clips of the digit's name) and yes/no/up/down/left/right/stop/go.
 */
export function ensureProbeData(perClass = 20): string {
  const root = join(OUTPUT, `probe-data-${perClass}`);
  if (existsSync(join(root, 'go'))) return root;
  for (const tool of ['espeak-ng', 'sox']) {
    try {
      execFileSync('which', [tool]);
    } catch {
      throw new Error(`${tool} is missing: the keyword data set is synthesized with espeak-ng and sox (apt-get install espeak-ng sox)`);
    }
  }
  const tmp = `${root}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const script = join(FIXTURES, 'keywords', 'make-keywords.sh');
  execFileSync('bash', [script, '--per-class', String(perClass), '--words', DIGIT_WORDS.join(','), join(tmp, 'digits')], { stdio: 'ignore' });
  execFileSync('bash', [script, '--per-class', String(perClass), join(tmp, 'keywords')], { stdio: 'ignore' });
  mkdirSync(root + '.build', { recursive: true });
  DIGIT_WORDS.forEach((word, digit) => {
    const dir = join(root + '.build', String(digit));
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(FIXTURES, 'speech', 'digits', 'en', `${digit}.wav`), join(dir, `recorded_en.wav`));
    for (const f of readdirSync(join(tmp, 'digits', word))) copyFileSync(join(tmp, 'digits', word, f), join(dir, f));
  });
  for (const word of readdirSync(join(tmp, 'keywords')).filter((w) => !w.endsWith('.csv'))) {
    renameSync(join(tmp, 'keywords', word), join(root + '.build', word));
  }
  rmSync(tmp, { recursive: true, force: true });
  renameSync(root + '.build', root);
  return root;
}
