import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../../src/paths.ts';

const OUTPUT = fileURLToPath(new URL('../output', import.meta.url));
/** The shipped wake-word clips: one folder of positives per head, and negative/. */
export const SHIPPED_WAKEWORDS = join(PACKAGE_ROOT, 'speech', 'wakewords');

/**
 * A small wake-word data set in the layout wake-word sweeps read, copied from the shipped
 * clips into test/output/wakeword-data (kept between runs): hey_jarvis/ holds the six
 * shipped "hey jarvis" clips, negative/ the first six shipped negatives (by name), so a
 * sweep over it stays quick.
 */
export async function ensureWakeWordData(): Promise<string> {
  const root = join(OUTPUT, 'wakeword-data');
  if (await stat(join(root, 'negative')).then(() => true, () => false)) return root;
  const build = `${root}.build`;
  await rm(build, { recursive: true, force: true });
  for (const [folder, count] of [['hey_jarvis', Infinity], ['negative', 6]] as const) {
    await mkdir(join(build, folder), { recursive: true });
    const clips = (await readdir(join(SHIPPED_WAKEWORDS, folder))).filter((f) => f.endsWith('.flac')).sort().slice(0, count);
    for (const clip of clips) await copyFile(join(SHIPPED_WAKEWORDS, folder, clip), join(build, folder, clip));
  }
  await rm(root, { recursive: true, force: true });
  await rename(build, root);
  return root;
}
