import { defineConfig } from 'vitest/config';

const BROWSER_TESTS = ['test/e2e/dashboard.test.ts', 'test/e2e/mic.test.ts', 'test/e2e/sweep.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: BROWSER_TESTS,
          // The keyword data sets several files read, built once before the tests (test/setup/probeData.ts).
          globalSetup: ['test/setup/probeData.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: BROWSER_TESTS,
          // The dashboard, built once for the three files (and only when one of them runs).
          globalSetup: ['test/setup/dashboard.ts'],
        },
      },
    ],
  },
});
