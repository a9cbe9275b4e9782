#!/usr/bin/env node
// The `earshot` command. Sources are TypeScript, run through tsx's loader so
// there is no build step to forget and no stale output to confuse.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv);
