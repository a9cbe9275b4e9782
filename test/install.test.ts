import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/audio.ts';

// npm as a user starts it from a shell in the project: only the project's .npmrc and package.json speak,
// not the npm_config_* variables of the `npm test` that runs this file.
const npm = (...args: string[]) => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key)));
  const run = spawnSync('npm', args, { cwd: REPO_ROOT, env, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return run;
};

describe('the install', () => {
  it('reads the project config without a warning (npm 11 warns about keys it does not know)', () => {
    const run = npm('config', 'get', 'fund');
    expect(run.stdout.trim()).toBe('false');
    expect(run.stderr).toBe('');
  });

  // onnxruntime-node's install script downloads its CUDA provider from nuget.org, which an install that
  // reaches only the npm registry cannot; package.json's allowScripts denies it (npm skips denied scripts).
  it("denies onnxruntime-node's install script and leaves no dependency's script unreviewed", () => {
    const policy = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> }).allowScripts;
    expect(policy['onnxruntime-node']).toBe(false);
    const pending = JSON.parse(npm('install-scripts', 'ls', '--json').stdout) as { allowScripts: unknown[] };
    expect(pending.allowScripts).toEqual([]);
  });
});
