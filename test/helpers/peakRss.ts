// Preloaded into a process under test (`node --import dist/test/helpers/peakRss.js`, or through
// NODE_OPTIONS): as it exits, it writes its peak RSS in KB to the file named by EARSHOT_PEAK_RSS_FILE,
// which is what GNU time would report for it.
import { writeFileSync } from 'node:fs';

const path = process.env.EARSHOT_PEAK_RSS_FILE;
if (path) process.on('exit', () => writeFileSync(path, String(process.resourceUsage().maxRSS)));
