/** The ONNX runtime: a worker-thread pool that implements GraphLoader (see ../types.ts). */
export { OnnxPool } from './pool.ts';
export { validatePoolOptions, type OnnxPoolOptions } from './options.ts';
export { cudaProviderInstalled } from './device.ts';
