import { execFile } from 'node:child_process';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const OUTPUT = fileURLToPath(new URL('../output', import.meta.url));
const run = promisify(execFile);

/** "hey jarvis" in several espeak-ng voices and speeds: the hey_jarvis head's positives. */
export const WAKE_POSITIVES: [voice: string, speed: number][] = [
  ['en-us', 150],
  ['en-gb', 150],
  ['en-us+f3', 150],
  ['en-us+m7', 170],
  ['en-gb-scotland', 140],
  ['en-029', 160],
];

/** Other phrases (one close to the wake word), two voices each: negatives. */
export const WAKE_NEGATIVES: [voice: string, text: string][] = [
  ['en-us', 'hey marvin'],
  ['en-gb', 'good morning everyone'],
  ['en-us+f3', 'turn on the lights'],
  ['en-gb-scotland', 'what time is it'],
  ['en-us+m7', 'jump over the fence'],
  ['en-029', 'play some music'],
];

/**
 * A small wake-word data set in the layout wake-word sweeps read, built into
 * test/output/wakeword-data (kept between runs): hey_jarvis/ holds "hey
 * jarvis" spoken by espeak-ng in the voices of {@link WAKE_POSITIVES},
 * negative/ the phrases of {@link WAKE_NEGATIVES}; 16 kHz mono 16-bit, with
 * 1 s of digital silence before and after (sox -D: no dither), as
 * test/fixtures/wakeword/make_clips.sh makes its clips.
 */
export async function ensureWakeWordData(): Promise<string> {
  const root = join(OUTPUT, 'wakeword-data');
  if (await stat(join(root, 'negative')).then(() => true, () => false)) return root;
  const build = `${root}.build`;
  await rm(build, { recursive: true, force: true });
  await mkdir(join(build, 'hey_jarvis'), { recursive: true });
  await mkdir(join(build, 'negative'), { recursive: true });
  const say = async (voice: string, speed: number, text: string, out: string) => {
    const raw = `${out}.raw.wav`;
    await run('espeak-ng', ['-v', voice, '-s', String(speed), '-w', raw, text]);
    await run('sox', ['-D', raw, '-r', '16000', '-c', '1', '-b', '16', out, 'pad', '1', '1']);
    await rm(raw);
  };
  for (const [voice, speed] of WAKE_POSITIVES) await say(voice, speed, 'hey jarvis', join(build, 'hey_jarvis', `${voice.replace('+', '-')}_${speed}.wav`));
  for (const [voice, text] of WAKE_NEGATIVES) await say(voice, 150, text, join(build, 'negative', `${voice.replace('+', '-')}_${text.replaceAll(' ', '_')}.wav`));
  await rename(build, root);
  return root;
}
