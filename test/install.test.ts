import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/audio.ts';

// onnxruntime-node's install script downloads its CUDA provider from nuget.org, which an install that
// reaches only the npm registry cannot: the project's .npmrc gives it its own skip flag, which npm passes
// to every lifecycle script as npm_config_onnxruntime_node_install whatever its version (npm 11.16 and
// later do not even run the script: package.json's allowScripts denies it).
describe('the install', () => {
  it("gives onnxruntime-node's install script its skip flag, and the script then downloads nothing", () => {
    // The environment npm gives scripts, as for a user in a shell: not the npm_config_* of this `npm test`.
    const shellEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key)));
    const listed = spawnSync('npm', ['run', 'env'], { cwd: REPO_ROOT, env: shellEnv, encoding: 'utf8' });
    expect(listed.status, listed.stderr).toBe(0);
    const scriptEnv = Object.fromEntries(listed.stdout.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    expect(scriptEnv.npm_config_onnxruntime_node_install).toBe('skip');

    const script = join(REPO_ROOT, 'node_modules', 'onnxruntime-node', 'script', 'install.js');
    const run = spawnSync(process.execPath, [script], { cwd: join(REPO_ROOT, 'node_modules', 'onnxruntime-node'), env: scriptEnv, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toBe('');
  });
});
