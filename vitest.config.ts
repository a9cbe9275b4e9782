import { defineConfig } from 'vitest/config';
import { MAIN_THREAD_FLAGS } from './src/moduleStart.ts';

// The browser tests: a real server, the dashboard and Chromium (test/e2e/helpers.ts).
const BROWSER = ['test/e2e/dashboard.test.ts', 'test/e2e/mic.test.ts', 'test/e2e/sweep.test.ts', 'test/e2e/monitoring.test.ts', 'test/e2e/limits.test.ts'];

// Files that touch no process-wide state (no handlers, env, cwd or patched globals left behind, every
// pool, server and spy closed or restored by the file itself): they share their workers' module graphs
// (isolate: false) instead of importing them again for each file, which costs more than most of their tests.
const SHARED = [
  'test/audio/*.test.ts',
  'test/dsp/*.test.ts',
  'test/scene/**/*.test.ts',
  'test/encoders/*.test.ts',
  // Not liveStream.test.ts: its streams run on an ONNX pool of its own across tests.
  'test/pipeline/{encodeWindows,fileSource,metrics,resample,sceneOperators,slidingWindows,sources,windowEmbedder}.test.ts',
  'test/probes/{dataset,linearProbe,probeFile,vad,wakeword}.test.ts',
  'test/sweep/{queueJson,report,stats,store}.test.ts',
  'test/server/{badInput,live,rest,security,units,uploads}.test.ts',
  'test/cli/{banks,conditionOptions,errors,help,numericOptions,models,renderRoom,snrMode}.test.ts',
  'test/e2e/dashboardLib.test.ts',
  'test/fs/*.test.ts',
  'test/errors.test.ts',
  'test/equality.test.ts',
  'test/keepLoopBusy.test.ts',
  'test/cachedLoad.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The test processes' main threads run as earshot's do (src/moduleStart.ts: a deadlock on Node 20).
    execArgv: [...MAIN_THREAD_FLAGS],
    // Every core (vitest's default leaves one free): many tests wait on child processes, Chromium or
    // streams paced in real time rather than compute.
    maxWorkers: '100%',
    setupFiles: ['test/setup/equality.ts'],
    // Threads and processes started from the sources run their compiled twins in dist/ (src/moduleStart.ts),
    // which test/setup/compiled.ts keeps in step with the sources.
    env: { EARSHOT_START_COMPILED: '1' },
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: SHARED,
          isolate: false,
          // Belt and braces for the shared module graph: spies, stubbed globals and env undone after each test.
          restoreMocks: true,
          unstubGlobals: true,
          unstubEnvs: true,
          globalSetup: ['test/setup/compiled.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'isolated',
          include: ['test/**/*.test.ts'],
          exclude: [...SHARED, ...BROWSER],
          // The keyword data sets several files read, built once before the tests (test/setup/probeData.ts).
          globalSetup: ['test/setup/compiled.ts', 'test/setup/probeData.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: BROWSER,
          // Page state polled by expect.poll: generous on a busy machine (its default is 1 s).
          expect: { poll: { timeout: 30_000 } },
          // The dashboard, built once for the three files (and only when one of them runs).
          globalSetup: ['test/setup/compiled.ts', 'test/setup/dashboard.ts'],
        },
      },
    ],
  },
});
