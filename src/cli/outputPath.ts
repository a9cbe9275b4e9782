import { access, constants, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Errors } from '../errors.ts';

/**
 * Check, before any work, that an output file can be written where `flag`
 * names it: its folder exists, is a folder and is writable, and the path is
 * not itself a folder. Throws INVALID_OPTION naming the flag, the path and
 * the fix, so a long run never ends in "cannot write".
 *
 * @example
 * await checkOutputPath('out/e.npy', '-o'); // -o out/e.npy: the folder out does not exist; create it first (mkdir -p out)
 */
export async function checkOutputPath(path: string, flag: string): Promise<void> {
  const dir = dirname(path);
  const folder = await stat(dir).catch(() => null);
  if (folder === null) throw new Errors.INVALID_OPTION(`${flag} ${path}: the folder ${dir} does not exist; create it first (mkdir -p ${dir})`);
  if (!folder.isDirectory()) throw new Errors.INVALID_OPTION(`${flag} ${path}: ${dir} is not a folder`);
  if ((await stat(path).catch(() => null))?.isDirectory()) throw new Errors.INVALID_OPTION(`${flag} ${path} is a folder; give a file name inside it`);
  await access(resolve(dir), constants.W_OK).catch(() => {
    throw new Errors.INVALID_OPTION(`${flag} ${path}: cannot write into ${dir} (permission denied)`);
  });
}
