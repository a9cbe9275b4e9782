#!/usr/bin/env node
// The `earshot` command. It runs the compiled program in dist/, which
// `npm install` builds (`npm run build` rebuilds it after editing the sources).
// `earshot rirs | head`: a closed pipe ends the output quietly, as for any Unix tool.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const CLI = new URL('../dist/src/cli.js', import.meta.url);
let cli;
try {
  cli = await import(CLI.href);
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes(CLI.pathname)) throw err;
  process.stderr.write(`earshot: error: the compiled program (${CLI.pathname}) is missing; run \`npm run build\` in ${new URL('..', import.meta.url).pathname}\n`);
  process.exit(1);
}
// The loop held open while the command runs (see src/keepLoopBusy.ts: on Node 20 an idle loop
// can deadlock the main thread against V8's background compiler).
const busy = setInterval(() => {}, 1000);
try {
  process.exitCode = await cli.main(process.argv);
} finally {
  clearInterval(busy);
}
