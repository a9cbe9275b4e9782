#!/usr/bin/env node
// The `earshot` command. Sources are TypeScript, run through tsx's loader so
// there is no build step to forget and no stale output to confuse.
import { register } from 'tsx/esm/api';

register();
// `earshot rirs | head`: a closed pipe ends the output quietly, as for any Unix tool.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv);
