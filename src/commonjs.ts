import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Loads a CommonJS package the way CommonJS does. An `import` of one makes Node's ESM
 * loader scan its source for export names first (cjs-module-lexer), and under
 * --no-concurrent-recompilation (MAIN_THREAD_FLAGS) V8 compiles that scanner's hot loop
 * on the main thread: importing commander, fft.js and @fastify/error took about 75 ms
 * that way and 20 ms through require(); fastify, its plugins, prom-client and ws another
 * 250–350 ms. Types still come from `import type` or `typeof import(...)`. RxJS, whose
 * CommonJS build is some 250 files, is bundled into one ES module instead (src/rxjs.ts).
 *
 * @example const FFT = requireCommonJs<typeof import('fft.js')>('fft.js');
 */
export function requireCommonJs<Module>(id: string): Module {
  return require(id) as Module;
}
