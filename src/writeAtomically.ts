import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Errors, isEarshotError } from './errors.ts';

let tempCounter = 0;

/** How a file is written atomically. */
export interface WriteAtomicallyOptions {
  /**
   * Flush the bytes to disk before the rename (default true), so that even a
   * power cut leaves the old file or the whole new one. False for files that
   * are cheap to lose and checked when read (cache entries): a process that
   * dies still leaves no partial file.
   */
  durable?: boolean;
}

/**
 * A temporary name beside `path` (same directory, so a rename onto `path`
 * stays on one file system), unique within this machine's processes.
 */
export function tempPathBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${++tempCounter}.tmp`);
}

/**
 * Write a file atomically: the bytes go to a temporary file in the same
 * directory, are flushed to disk, and the file is renamed over `path`. A
 * failed write leaves no partial file and any earlier file at `path` untouched.
 *
 * @param path destination; its directory must exist
 * @throws WRITE_FAILED naming the path and the reason in words
 */
export async function writeAtomically(path: string, data: string | Uint8Array, opts: WriteAtomicallyOptions = {}): Promise<void> {
  await writeAtomicallyFrom(path, (write) => write(typeof data === 'string' ? new TextEncoder().encode(data) : data), opts);
}

/**
 * {@link writeAtomically} for a file written piece by piece: `produce` calls `write` with
 * the pieces in order (so the whole file is never in memory). An error `produce` throws
 * itself (an earshot error) passes through as it is, after the temporary file is removed;
 * file-system errors become WRITE_FAILED.
 *
 * @example
 * await writeAtomicallyFrom('out.wav', async (write) => { await write(header); for (const b of blocks) await write(b); });
 */
export async function writeAtomicallyFrom(
  path: string,
  produce: (write: (bytes: Uint8Array) => Promise<void>) => Promise<void>,
  { durable = true }: WriteAtomicallyOptions = {},
): Promise<void> {
  const temp = tempPathBeside(path);
  try {
    const handle = await open(temp, 'wx');
    try {
      await produce(async (bytes) => {
        for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
      });
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => {});
    if (isEarshotError(err)) throw err;
    throw new Errors.WRITE_FAILED(path, describeFsError(err), { cause: err });
  }
}

/** A file-system error in words ("permission denied", "no space left on the device"). */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    ENOENT: 'the directory does not exist',
    ENOTDIR: 'a parent path is not a directory',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EISDIR: 'the path is a directory',
    ENOSPC: 'no space left on the device',
    EROFS: 'read-only file system',
  };
  return (e?.code && known[e.code]) || (e instanceof Error ? e.message : String(err));
}
