// `npm run fidelity`: one table of what earshot's scenes measure against physics and
// independent references (the full-order image-source fixtures made by
// test/fixtures/room/make_room_reference.py, ISO 9613-1, the raw KEMAR file, ACN/SN3D).
// Prints markdown on stdout (the README carries it); exits 1 when a row misses its target.
import { checks, type FidelityRow } from './checks.ts';

const rows: FidelityRow[] = [];
for (const check of checks) {
  process.stderr.write(`▶ ${check.name}\n`);
  rows.push(...(await check.run()));
}
const fmt = (v: string | number) => (typeof v === 'number' ? String(Number(v.toPrecision(3))) : v);
console.log('| check | earshot | reference | target | |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.check} | ${fmt(r.earshot)} | ${fmt(r.reference)} | ${r.target} | ${r.pass ? 'ok' : '**miss**'} |`);
const missed = rows.filter((r) => !r.pass).length;
process.stderr.write(missed === 0 ? `all ${rows.length} rows on target\n` : `${missed} of ${rows.length} rows miss their target\n`);
process.exitCode = missed === 0 ? 0 : 1;
