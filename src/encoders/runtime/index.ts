/** The ONNX runtime: a worker-thread pool that implements GraphLoader (see ../types.ts). */
export { OnnxPool, type OnnxGraph } from './pool.ts';
export { ONNX_POOL_DEFAULTS, validatePoolOptions, type OnnxPoolOptions } from './options.ts';
export { CUDA_HOWTO, cudaProviderInstalled, cudaProviderPath } from './device.ts';
export { checkFeeds, describeValues, formatShape } from './feeds.ts';
export { readGraphInfo } from './onnxInfo.ts';
