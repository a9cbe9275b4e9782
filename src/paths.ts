import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

/** The installed package's root folder (holds rirs/, noise/, models/): this file is src/paths.ts, or dist/src/paths.js compiled. */
export const PACKAGE_ROOT = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../..' : '..', import.meta.url));
/** earshot's version, from its package.json. */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
export const SHIPPED_RIR_DIR = join(PACKAGE_ROOT, 'rirs');
export const SHIPPED_NOISE_DIR = join(PACKAGE_ROOT, 'noise');
