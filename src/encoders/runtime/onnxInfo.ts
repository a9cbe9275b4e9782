import { open, type FileHandle } from 'node:fs/promises';
import type { GraphInfo } from '../types.ts';

/**
 * Read an ONNX file's graph inputs and outputs (names, element types,
 * shapes) straight from its protobuf, without loading weights or starting
 * ONNX Runtime: the walk reads field headers and skips every large field by
 * its length, so a 360 MB model costs a few hundred small reads. Names and
 * types are spelled as onnxruntime-node's `inputMetadata` spells them (a
 * dimension with neither value nor name is -1), and inputs that are also
 * initializers are left out, as ONNX Runtime does. Shapes are as the file
 * declares them: where an output has a symbolic size that ONNX Runtime's
 * shape inference can fix, a session reports the number and this the name
 * (an AST export: declared [batch,"…_dim_1","…_dim_2"], ORT [batch,146,32]).
 *
 * Field numbers from onnx/onnx.proto: ModelProto.graph = 7; GraphProto
 * initializer = 5, input = 11, output = 12; TensorProto.name = 8;
 * ValueInfoProto name = 1, type = 2; TypeProto.tensor_type = 1;
 * Tensor elem_type = 1, shape = 2; TensorShapeProto.dim = 1;
 * Dimension dim_value = 1, dim_param = 2.
 *
 * Throws a plain Error when the file is not an ONNX model.
 */
export async function readGraphInfo(path: string): Promise<GraphInfo> {
  const file = await open(path, 'r');
  try {
    const reader = new Reader(file, (await file.stat()).size);
    const graph = (await reader.fields(0, reader.size)).find((f) => f.field === 7 && f.wire === 2);
    if (graph === undefined) throw new Error('no graph in it (not an ONNX model?)');
    const inputs = [];
    const outputs = [];
    const initializers = new Set<string>();
    for (const f of await reader.fields(graph.start, graph.end)) {
      if (f.wire !== 2) continue;
      if (f.field === 11) inputs.push(await valueInfo(reader, f.start, f.end));
      else if (f.field === 12) outputs.push(await valueInfo(reader, f.start, f.end));
      else if (f.field === 5) {
        const name = (await reader.fields(f.start, f.end, 8)).find((g) => g.field === 8);
        if (name) initializers.add(await reader.string(name.start, name.end));
      }
    }
    return { inputs: inputs.filter((i) => !initializers.has(i.name)), outputs };
  } finally {
    await file.close();
  }
}

const ELEM_TYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

async function valueInfo(r: Reader, start: number, end: number): Promise<GraphInfo['inputs'][number]> {
  let name = '';
  let type = 'non-tensor';
  const shape: (number | string)[] = [];
  for (const f of await r.fields(start, end)) {
    if (f.field === 1 && f.wire === 2) name = await r.string(f.start, f.end);
    if (f.field !== 2 || f.wire !== 2) continue;
    const tensor = (await r.fields(f.start, f.end)).find((g) => g.field === 1 && g.wire === 2);
    if (tensor === undefined) continue;
    for (const g of await r.fields(tensor.start, tensor.end)) {
      if (g.field === 1 && g.wire === 0) type = ELEM_TYPES[g.value] ?? `type ${g.value}`;
      if (g.field !== 2 || g.wire !== 2) continue;
      for (const dim of await r.fields(g.start, g.end)) {
        if (dim.field !== 1 || dim.wire !== 2) continue;
        let size: number | string = -1;
        for (const d of await r.fields(dim.start, dim.end)) {
          if (d.field === 1 && d.wire === 0) size = d.value;
          if (d.field === 2 && d.wire === 2) size = await r.string(d.start, d.end);
        }
        shape.push(size);
      }
    }
  }
  return { name, type, shape };
}

/** One protobuf field: number, wire type, and its payload's span (length-delimited) or value (varint). */
interface Field {
  field: number;
  wire: number;
  start: number;
  end: number;
  value: number;
}

// Positional reads through a 64 KiB block cache: headers are read, payloads skipped.
class Reader {
  private block = Buffer.alloc(0);
  private blockAt = -1;
  constructor(
    private readonly file: FileHandle,
    readonly size: number,
  ) {}

  async bytes(at: number, length: number): Promise<Buffer> {
    if (at < this.blockAt || at + length > this.blockAt + this.block.length) {
      const size = Math.min(Math.max(length, 1 << 16), this.size - at);
      const buf = Buffer.alloc(size);
      await this.file.read(buf, 0, size, at);
      [this.block, this.blockAt] = [buf, at];
    }
    return this.block.subarray(at - this.blockAt, at - this.blockAt + length);
  }

  async string(start: number, end: number): Promise<string> {
    return (await this.bytes(start, end - start)).toString('utf8');
  }

  /** The fields of the message between `start` and `end`; stops after the first field numbered `stopAt`. */
  async fields(start: number, end: number, stopAt?: number): Promise<Field[]> {
    const out: Field[] = [];
    let at = start;
    while (at < end) {
      const [key, afterKey] = await this.varint(at, end);
      const field = Math.floor(key / 8);
      const wire = key % 8;
      let f: Field;
      if (wire === 0) {
        const [value, next] = await this.varint(afterKey, end);
        f = { field, wire, start: afterKey, end: next, value };
      } else if (wire === 2) {
        const [length, next] = await this.varint(afterKey, end);
        f = { field, wire, start: next, end: next + length, value: length };
      } else if (wire === 1 || wire === 5) {
        f = { field, wire, start: afterKey, end: afterKey + (wire === 1 ? 8 : 4), value: 0 };
      } else throw new Error(`unsupported protobuf wire type ${wire} at byte ${at} (not an ONNX model?)`);
      if (f.end > end || field === 0) throw new Error(`corrupt protobuf at byte ${at} (truncated or not an ONNX model)`);
      out.push(f);
      at = f.end;
      if (field === stopAt) break;
    }
    return out;
  }

  // A varint as a JS number; values past 2^53 (negative int64s) come back as -1.
  private async varint(at: number, end: number): Promise<[number, number]> {
    const buf = await this.bytes(at, Math.min(10, end - at));
    let value = 0;
    for (let i = 0; i < buf.length; i++) {
      value += (buf[i] & 0x7f) * 2 ** (7 * i);
      if ((buf[i] & 0x80) === 0) return [value > Number.MAX_SAFE_INTEGER ? -1 : value, at + i + 1];
    }
    throw new Error(`corrupt varint at byte ${at} (truncated or not an ONNX model)`);
  }
}
