import { open, type FileHandle } from 'node:fs/promises';
import { Errors } from '../errors.ts';

/**
 * The bytes of an audio file, read by position: an open file (read block by block, so
 * memory does not grow with the file) or bytes already in memory (an upload).
 */
export interface ByteSource {
  /** Size in bytes. */
  readonly size: number;
  /** Up to `length` bytes from `position` (fewer at the end of the file). The result may be a view the next read overwrites. */
  read(position: number, length: number): Promise<Uint8Array>;
  /** Release the file (idempotent). */
  close(): Promise<void>;
}

/** Bytes in memory as a {@link ByteSource} (reads are views, nothing is copied). */
export function memoryByteSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (position, length) => bytes.subarray(position, Math.min(bytes.length, position + length)),
    close: async () => {},
  };
}

/**
 * Open a file for positional reads. The errors name the file: FILE_NOT_FOUND, IS_DIRECTORY,
 * UNREADABLE (permissions, symlink loops, I/O errors).
 *
 * @example
 * const src = await fileByteSource('speech.wav');
 * try { const head = await src.read(0, 4096); } finally { await src.close(); }
 */
export async function fileByteSource(path: string): Promise<ByteSource> {
  let handle: FileHandle;
  let size: number;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw fsError(err, path);
  }
  let whole: Uint8Array | undefined;
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = stats.size;
    // Pipes, devices and /proc files report no size and may not seek: read them through once, into memory.
    if (!stats.isFile() || size === 0) whole = await handle.readFile();
  } catch (err) {
    await handle.close();
    throw fsError(err, path);
  }
  if (whole !== undefined) {
    await handle.close();
    return memoryByteSource(whole);
  }
  let buffer = new Uint8Array(0);
  let closed = false;
  return {
    size,
    async read(position, length) {
      const want = Math.max(0, Math.min(length, size - position));
      if (buffer.length < want) buffer = new Uint8Array(want);
      let got = 0;
      try {
        while (got < want) {
          const { bytesRead } = await handle.read(buffer, got, want - got, position + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
      } catch (err) {
        throw fsError(err, path);
      }
      return buffer.subarray(0, got);
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

function fsError(err: unknown, path: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new Errors.FILE_NOT_FOUND(path);
  if (code === 'EISDIR') return new Errors.IS_DIRECTORY(path);
  const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ELOOP' ? 'too many symbolic links' : (err as Error).message;
  return new Errors.UNREADABLE(path, reason);
}
