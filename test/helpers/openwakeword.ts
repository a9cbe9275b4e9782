import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOpenWakeWordEncoder, SHIPPED_MODEL_DIR, type OpenWakeWordEncoder } from '../../src/encoders/openwakeword.ts';
import { createInProcessLoader } from '../../src/encoders/runtime/inProcess.ts';
import type { ModelManifest } from '../../src/encoders/manifest.ts';
import type { GraphLoader } from '../../src/encoders/types.ts';

/** The openWakeWord graphs, copied by models/install.js at npm install. */
export const WAKEWORD_FIXTURES = fileURLToPath(new URL('../fixtures/wakeword', import.meta.url));

/** One in-process loader for a test file (sessions shared between its tests). */
export const loader: GraphLoader = createInProcessLoader();

export function readManifest(id: string): ModelManifest {
  return JSON.parse(readFileSync(join(SHIPPED_MODEL_DIR, `${id}.json`), 'utf8')) as ModelManifest;
}

export function owwEncoder(): Promise<OpenWakeWordEncoder> {
  return createOpenWakeWordEncoder(readManifest('oww-speech-embedding'), loader);
}

/** Reference outputs of openWakeWord's own streaming code (make_reference.py). */
export interface OwwReferenceClip {
  file: string;
  samples: number;
  frames: number;
  embeddings?: number[];
  scores?: Record<string, number[]>;
}

export function owwReference(): { clips: OwwReferenceClip[]; speech: OwwReferenceClip } {
  return JSON.parse(readFileSync(join(WAKEWORD_FIXTURES, 'reference.json'), 'utf8'));
}
