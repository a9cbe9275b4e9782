// Writes the shipped KEMAR HRTF set already resampled to each rate of
// KEMAR_TABLE_RATES (rirs/hrtf/kemar-RATE.hrtf.br), so that a binaural scene
// does not read the SOFA file and resample 1420 IRs first. Rerun after changing
// the SOFA reader or the resampling:  npx tsx rirs/hrtf/make-kemar-tables.ts
// (test/scene/room/hrtfTable.test.ts checks the tables against a fresh run.)
import { writeFile } from 'node:fs/promises';
import { hrtfFromSofa, KEMAR_SOFA_PATH, KEMAR_TABLE_RATES, kemarTablePath } from '../../src/scene/room/hrtf.ts';
import { encodeHrtfTable } from '../../src/scene/room/hrtfTable.ts';

for (const rate of KEMAR_TABLE_RATES) {
  const bytes = encodeHrtfTable(await hrtfFromSofa(KEMAR_SOFA_PATH, rate));
  await writeFile(kemarTablePath(rate), bytes);
  process.stderr.write(`wrote ${kemarTablePath(rate)} (${(bytes.length / 1e6).toFixed(2)} MB)\n`);
}
