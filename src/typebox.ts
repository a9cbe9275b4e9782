// TypeBox, earshot's schema library, for every module that builds or checks a schema.
// Its ESM build is some 250 small files that take about 135 ms to import, paid by every
// command that reads a manifest, a condition or a probe; `npm run build` replaces this
// module's compiled output (dist/src/typebox.js) with one bundled file of the same
// exports, which imports in about 20 ms. Sources (tsx, vitest) use the package as is.
export * from '@sinclair/typebox';
export { Value } from '@sinclair/typebox/value';
