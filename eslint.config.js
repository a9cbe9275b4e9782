import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'client/', 'scratch/', 'dist/'] },
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts'],
    rules: {
      // Everything random in src/ comes from the seeded generator in src/random.ts.
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use createRng(seed) from src/random.ts: the same seed must give the same bytes.' }],
    },
  },
  {
    files: ['src/**/*.ts', 'server/**/*.ts'],
    ignores: ['src/rxjs.ts'],
    rules: {
      // CommonJS packages the program loads at start: an import makes Node scan them first (see src/commonjs.ts).
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [
          ...['commander', 'fft.js', '@fastify/error', 'fastify', 'fastify-plugin', '@fastify/websocket', '@fastify/static', '@fastify/multipart', 'prom-client', 'ws', '@fastify/fast-json-stringify-compiler'].map((name) => ({
            name,
            allowTypeImports: true,
            message: 'Load this CommonJS package with requireCommonJs (src/commonjs.ts); `import type` is fine.',
          })),
          { name: 'rxjs', message: 'Import RxJS from src/rxjs.ts, which the build bundles into one ES module.' },
        ],
      }],
    },
  },
);
