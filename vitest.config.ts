import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The keyword data sets several files read, built once before the tests (test/setup/probeData.ts).
    globalSetup: ['test/setup/probeData.ts'],
  },
});
