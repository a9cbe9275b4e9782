import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { Errors } from '../errors.ts';
import { tempPathBeside } from '../writeAtomically.ts';

/**
 * NumPy .npy (format version 1.0) for float32/float64 arrays, C order: the
 * 10-byte preamble, a Python-literal header padded with spaces to a multiple
 * of 64 bytes and ending in '\n', then the little-endian data.
 * Reference: numpy/lib/format.py (NEP 1).
 */
export function encodeNpy(data: Float32Array | Float64Array, shape: number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`npy: shape [${shape}] holds ${count} values, data has ${data.length}`);
  const header = npyHeader(data instanceof Float32Array ? '<f4' : '<f8', shape);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), header.length);
  return out;
}

/** The preamble and header of an .npy file (`minLength`: pad the header with more spaces, to at least that many bytes in all). */
function npyHeader(descr: '<f4' | '<f8', shape: number[], minLength = 0): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = 10 + header.length + 1;
  const total = Math.max(minLength, unpadded + ((64 - (unpadded % 64)) % 64));
  header += ' '.repeat(total - unpadded) + '\n';
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]); // \x93NUMPY v1.0
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  return out;
}

/** Rows of the first dimension as many as this: room for the header of any row count an .npy will hold here. */
const MAX_ROWS = 1e15;

/**
 * An .npy file written row by row, for arrays whose first dimension grows as
 * they are computed (the frames of a long clip): the rows go to a temporary
 * file beside `path`, and `close()` writes the header with the final row
 * count (its space was kept for up to 10^15 rows, so the bytes are those of
 * {@link encodeNpy} on the whole array) and renames it over `path`. `abort()`
 * removes the temporary file. Memory holds no rows.
 *
 * @example
 * const npy = await NpyWriter.create('emb.npy', 'float32', [96]);
 * await npy.append(rows); // any number of whole rows
 * await npy.close();
 */
export class NpyWriter {
  private rows = 0;
  private at: number;

  private constructor(private readonly handle: FileHandle, private readonly temp: string, readonly path: string, private readonly descr: '<f4' | '<f8', private readonly rowShape: number[]) {
    this.at = npyHeader(descr, [MAX_ROWS, ...rowShape]).length;
  }

  /** @throws WRITE_FAILED naming the path */
  static async create(path: string, dtype: 'float32' | 'float64', rowShape: number[]): Promise<NpyWriter> {
    const temp = tempPathBeside(path);
    try {
      return new NpyWriter(await open(temp, 'wx'), temp, path, dtype === 'float32' ? '<f4' : '<f8', rowShape);
    } catch (err) {
      throw new Errors.WRITE_FAILED(path, (err as Error).message);
    }
  }

  /** Append whole rows (row-major). */
  async append(data: Float32Array | Float64Array): Promise<void> {
    const perRow = this.rowShape.reduce((a, b) => a * b, 1);
    if (data.length % perRow !== 0) throw new RangeError(`npy: ${data.length} values are not whole rows of ${perRow}`);
    if ((data instanceof Float32Array) !== (this.descr === '<f4')) throw new RangeError(`npy: ${this.descr} file given ${data.constructor.name}`);
    await this.write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), this.at);
    this.at += data.byteLength;
    this.rows += data.length / perRow;
  }

  /** Write the header and move the file into place. */
  async close(): Promise<void> {
    await this.finish();
    await this.commit();
  }

  /** Write the header and close the file, still under its temporary name (see {@link commit}): for a set of files that appear together. */
  async finish(): Promise<void> {
    const reserved = npyHeader(this.descr, [MAX_ROWS, ...this.rowShape]);
    const header = npyHeader(this.descr, [this.rows, ...this.rowShape], reserved.length);
    await this.write(header, 0);
    try {
      await this.handle.close();
    } catch (err) {
      await unlink(this.temp).catch(() => {});
      throw new Errors.WRITE_FAILED(this.path, (err as Error).message);
    }
  }

  /** Move the finished file into place. */
  async commit(): Promise<void> {
    try {
      await rename(this.temp, this.path);
    } catch (err) {
      await unlink(this.temp).catch(() => {});
      throw new Errors.WRITE_FAILED(this.path, (err as Error).message);
    }
  }

  /** Give up: remove the temporary file. */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => {});
    await unlink(this.temp).catch(() => {});
  }

  private async write(bytes: Uint8Array, position: number): Promise<void> {
    try {
      for (let done = 0; done < bytes.length; ) done += (await this.handle.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
    } catch (err) {
      await this.abort();
      throw new Errors.WRITE_FAILED(this.path, (err as Error).message);
    }
  }
}
