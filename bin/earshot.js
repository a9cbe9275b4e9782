#!/usr/bin/env -S node --no-concurrent-recompilation
// The `earshot` command. It runs the compiled program in dist/, which
// `npm install` builds (`npm run build` rebuilds it after editing the sources).
// The flag on the first line keeps Node 20 from deadlocking the main thread against
// V8's background compiler (MAIN_THREAD_FLAGS in src/moduleStart.ts).
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
// Run without the flag (`node bin/earshot.js`), the event loop is at least held open while the
// command runs, which avoids the deadlock everywhere but at the very end (src/keepLoopBusy.ts).
const { keepLoopBusy } = await import(new URL('../dist/src/keepLoopBusy.js', import.meta.url).href);
process.exitCode = await keepLoopBusy(() => cli.main(process.argv));
