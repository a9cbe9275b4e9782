import { execFile, execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/audio.ts';

const hasTorch = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import torch, torchaudio'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// Where python3-torch is installed the export runs for real (minutes, hundreds of MB): not here.
describe.skipIf(hasTorch)('npm run export-models without python3-torch', () => {
  it('says in one line which Debian packages to install, with no Python traceback', async () => {
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile('npm', ['run', 'export-models'], { cwd: REPO_ROOT }, (err, _stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr }));
    });
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/Traceback|ModuleNotFoundError/);
    const lines = run.stderr.split('\n').filter((l) => l.trim() !== '' && !/^npm (warn|error|ERR!)/.test(l));
    expect(lines).toEqual([expect.stringMatching(/^export-models: the Python module \w+ is missing; install Debian's packages: sudo apt-get install python3-torch python3-torchaudio python3-numpy$/)]);
  });
});
