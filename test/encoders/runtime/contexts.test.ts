import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/audio.ts';

// Workers start on the compiled onnxWorker.js in the program (dist/), and through src/tsBootstrap.js when
// running the TypeScript sources. The suite's other tests start them on their compiled twins
// (EARSHOT_START_COMPILED); these cover a plain `node` process both ways, and check that an idle pool lets
// the process end without close().
function runNode(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Without the suite's EARSHOT_START_COMPILED: under tsx the workers boot through tsBootstrap.js.
  const env = { ...process.env, EARSHOT_START_COMPILED: '' };
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: REPO_ROOT, timeout: 30_000, env }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr });
    });
  });
}

const SCRIPT = 'test/encoders/runtime/poolScript.ts';

describe('worker bootstrap outside vitest', () => {
  it('runs compiled (as bin/earshot.js does), and an idle pool does not hold the process', async () => {
    const run = await runNode([`dist/${SCRIPT.replace(/\.ts$/, '.js')}`]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.dims).toEqual([[2, 1, 1, 96], [2, 1, 1, 96], [2, 1, 1, 96]]);
    // Two idle workers share three waiting calls: one runs alone, two run stacked.
    expect(result.stats).toMatchObject({ runs: 2, stackedCalls: 2 });
    expect(result.device).toBe('cpu');
  });

  it('runs under `node --import tsx`', async () => {
    const run = await runNode(['--import', 'tsx', SCRIPT]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).stats).toMatchObject({ runs: 2, stackedCalls: 2 });
  });
});
