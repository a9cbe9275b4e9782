import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Errors, isEarshotError } from '../errors.ts';

/**
 * Planar float32 blocks set aside to be read again, for work that needs a whole signal
 * measured before it can go on (a render's mix gain needs the energy of the whole source
 * and noise). Every block but the last holds `blockFrames` frames.
 */
export interface BlockSpool {
  readonly channelCount: number;
  readonly blockFrames: number;
  /** Blocks written so far. */
  readonly blocks: number;
  /** Append the next block: `channelCount` arrays of one length (`blockFrames`, or fewer for the last); they are copied or written before this resolves, so the caller may reuse them. */
  write(channels: Float32Array[]): Promise<void>;
  /**
   * Block `block` (0-based): every channel, or only `channel`. With `into` (arrays of at
   * least the block's length, one per channel read) the samples go there and views of
   * them come back, so a pass over many blocks can reuse its buffers.
   */
  read(block: number, channel?: number, into?: Float32Array[]): Promise<Float32Array[]>;
}

/** Opens spools; `close()` releases every one it opened. */
export interface SpoolFactory {
  open(name: string, channelCount: number, blockFrames: number): Promise<BlockSpool>;
  close(): Promise<void>;
}

/**
 * Spools in files of a fresh folder under the system's temporary folder (the OS page cache
 * keeps them in memory while it can, outside the process), removed by `close()`.
 *
 * @throws WRITE_FAILED when the folder or a file cannot be made or written (a full disk)
 */
export async function tempSpools(): Promise<SpoolFactory> {
  let dir: string | undefined;
  const handles: FileHandle[] = [];
  return {
    async open(name, channelCount, blockFrames) {
      try {
        dir ??= await mkdtemp(join(tmpdir(), 'earshot-spool-'));
        const path = join(dir, `${name}.f32`);
        const handle = await open(path, 'w+');
        handles.push(handle);
        return fileSpool(handle, path, channelCount, blockFrames);
      } catch (err) {
        throw new Errors.WRITE_FAILED(dir ?? tmpdir(), (err as Error).message);
      }
    },
    async close() {
      await Promise.all(handles.splice(0).map((h) => h.close().catch(() => {})));
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Spools held in memory (small signals, tests). */
export function memorySpools(): SpoolFactory {
  return {
    async open(_name, channelCount, blockFrames) {
      const stored: Float32Array[][] = [];
      return {
        channelCount,
        blockFrames,
        get blocks() {
          return stored.length;
        },
        async write(channels) {
          stored.push(channels.map((c) => c.slice()));
        },
        async read(block, channel, into) {
          const b = stored[block];
          const wanted = channel === undefined ? b : [b[channel]];
          return wanted.map((c, k) => {
            if (!into) return c.slice();
            into[k].set(c);
            return into[k].subarray(0, c.length);
          });
        },
      };
    },
    async close() {},
  };
}

function fileSpool(handle: FileHandle, path: string, channelCount: number, blockFrames: number): BlockSpool {
  const frameBytes = 4 * channelCount;
  let blocks = 0;
  let lastFrames = blockFrames;
  const framesOf = (block: number) => (block === blocks - 1 ? lastFrames : blockFrames);
  return {
    channelCount,
    blockFrames,
    get blocks() {
      return blocks;
    },
    async write(channels) {
      const m = channels[0].length;
      if (lastFrames !== blockFrames || m > blockFrames) throw new Errors.INVALID_OPTION(`spool ${path}: a block of ${m} frames after a short one, or over ${blockFrames}`);
      // One write per channel, straight from the caller's arrays (no copy to gather them).
      const at = blocks * blockFrames * frameBytes;
      await io(path, async () => {
        for (const [k, c] of channels.entries()) await writeAll(handle, new Uint8Array(c.buffer, c.byteOffset, c.byteLength), at + k * m * 4);
      });
      blocks++;
      lastFrames = m;
    },
    async read(block, channel, into) {
      const m = framesOf(block);
      const at = block * blockFrames * frameBytes;
      const wanted = channel === undefined ? Array.from({ length: channelCount }, (_, c) => c) : [channel];
      return io(path, () =>
        Promise.all(
          wanted.map(async (c, k) => {
            const out = into ? into[k].subarray(0, m) : new Float32Array(m);
            const view = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
            for (let got = 0; got < view.length; ) {
              const { bytesRead } = await handle.read(view, got, view.length - got, at + c * m * 4 + got);
              if (bytesRead === 0) throw new Error(`ended at block ${block}`);
              got += bytesRead;
            }
            return out;
          }),
        ),
      );
    },
  };
}

async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
}

async function io<T>(path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isEarshotError(err)) throw err;
    throw new Errors.WRITE_FAILED(path, (err as Error).message);
  }
}
