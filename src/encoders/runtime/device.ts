import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Errors } from '../../errors.ts';

/** What to do for a GPU: said by every CUDA message earshot prints. */
export const CUDA_HOWTO =
  'To enable CUDA, on a machine with an NVIDIA driver, CUDA 12 and cuDNN 9, download its provider once: ' +
  '`ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js`.';

/** The one line said when 'auto' settles on the CPU: short, or with the reason and CUDA_HOWTO when `verbose`. */
export function cpuFallbackNotice(reason: string, verbose: boolean): string {
  return verbose ? `ONNX models run on CPU: CUDA is not available (${reason}). ${CUDA_HOWTO}` : 'ONNX models run on CPU: CUDA is not available (--verbose says why and how to enable it)';
}

/**
 * Where onnxruntime-node keeps its CUDA execution provider library on this
 * platform, or undefined where it has none (macOS, arm64). The library is
 * not downloaded at install (package.json's allowScripts skips onnxruntime-node's
 * install script, whose only work is that download); CUDA_HOWTO says how to get it.
 */
export function cudaProviderPath(): string | undefined {
  const file = { linux: 'libonnxruntime_providers_cuda.so', win32: 'onnxruntime_providers_cuda.dll' }[process.platform as string];
  if (file === undefined || process.arch !== 'x64') return undefined;
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  return join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch, file);
}

/** True when onnxruntime-node's CUDA provider library is installed (says nothing of a GPU or driver). */
export function cudaProviderInstalled(): boolean {
  const path = cudaProviderPath();
  return path !== undefined && existsSync(path);
}

/**
 * Why CUDA cannot even be tried here, or undefined when its provider is
 * installed (a session may still fail on a machine without a GPU or driver).
 * For device 'cuda' a missing provider throws CUDA_UNAVAILABLE saying how to
 * install it.
 */
export function missingCudaProvider(device: 'auto' | 'cuda'): string | undefined {
  if (cudaProviderInstalled()) return undefined;
  const where = cudaProviderPath() ?? `onnxruntime-node has no CUDA build for ${process.platform}/${process.arch}`;
  if (device === 'cuda') throw new Errors.CUDA_UNAVAILABLE(`device 'cuda' asked for, but onnxruntime-node's CUDA provider is not installed (${where}). ${CUDA_HOWTO}`);
  return `its CUDA provider is not installed: ${where}`;
}
