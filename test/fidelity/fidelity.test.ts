import { describe, expect, it } from 'vitest';
import { checks } from './checks.ts';

// The rows of `npm run fidelity`, each on its target: C50/DRR against the image-source
// reference, continuity at the tail takeover, band RT60s, air absorption against ISO 9613,
// independent tails, interaural cues against the raw KEMAR file, FOA gains, SNR definitions.
describe('scene fidelity (npm run fidelity)', () => {
  it.each(checks.map((c) => [c.name, c] as const))('%s', async (_name, check) => {
    const rows = await check.run();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.pass, `${row.check}: earshot ${row.earshot}, reference ${row.reference}, target ${row.target}`).toBe(true);
  });
});
