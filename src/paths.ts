import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The installed package's root folder (holds rirs/, noise/, models/): this file is src/paths.ts, or dist/src/paths.js compiled. */
export const PACKAGE_ROOT = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../..' : '..', import.meta.url));
export const SHIPPED_RIR_DIR = join(PACKAGE_ROOT, 'rirs');
export const SHIPPED_NOISE_DIR = join(PACKAGE_ROOT, 'noise');
