// `npm run bench`: runs every test/bench/*.bench.ts (or those named on the command line),
// prints each report as a table and writes them all to bench-results.json.
import { readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { BenchReport } from './report.ts';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.ts') && (only.length === 0 || only.some((o) => f.includes(o)))).sort();
const reports: BenchReport[] = [];
for (const file of files) {
  process.stderr.write(`\n▶ ${file}\n`);
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default: () => Promise<BenchReport> };
  const report = await mod.default();
  reports.push(report);
  console.log(`\n## ${report.name}\n`);
  console.log('| metric | value | baseline | ratio | target |');
  console.log('|---|---|---|---|---|');
  for (const r of report.rows) {
    const fmt = (v: number | undefined) => (v === undefined ? '' : Number(v.toPrecision(4)).toString());
    console.log(`| ${r.metric} | ${fmt(r.value)} ${r.unit} | ${fmt(r.baseline)} | ${fmt(r.ratio)} | ${r.target ?? ''} |`);
  }
}
await writeFile('bench-results.json', `${JSON.stringify({ date: new Date().toISOString(), reports }, null, 2)}\n`);
process.stderr.write('\nwrote bench-results.json\n');
