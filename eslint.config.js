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
);
