// RxJS, the pipeline's stream library, for every module that builds or runs a stream. For Node
// its package resolves to a CommonJS build of some 250 files that Node's CJS lexer scans for
// named exports on import, about 90 ms paid by `serve`, `stream` and `probe` at start;
// `npm run compile` replaces this module's compiled output (dist/src/rxjs.js) with one bundled
// ES module of the same exports, which imports in about 25 ms. Sources (tsx, vitest) use the
// package as is.
export * from 'rxjs';
