/**
 * The room axis of a sweep: RT60s of simulated rooms and IRs of the RIR bank
 * (shipped, --rir-dir folders, or files named on the command line), side by
 * side. Here: reading the user's list, checking that every model can hear
 * every IR, and measuring each room's acoustics for the report.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { measureRt60 } from '../dsp/rt60.ts';
import { Errors } from '../errors.ts';
import { prepareScene, type PreparedScene } from '../scene/prepare.ts';
import type { SceneBanks } from '../scene/render.ts';
import type { RirBank } from '../scene/rirBank.ts';
import { cellCondition, receiverFor } from './grid.ts';
import type { Receiver, Room, RoomResult, SweepSpec } from './types.ts';

/** Rooms are measured at the models' rate (the simulator and the bank resample to it). */
export const ROOM_METRICS_RATE_HZ = 16000;

const MAX_RT60_S = 3;
const AUDIO_EXTENSIONS = new Set(['.wav', '.flac', '.ogg', '.mp3']);
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)$/;

/** "0" and "0.60" are RT60s, "street" a bank id, "irs/*.wav", "dir/" or "hall.wav" IR files. */
function isPath(entry: string): boolean {
  return /[/\\*?]/.test(entry) || AUDIO_EXTENSIONS.has(extname(entry).toLowerCase());
}

/**
 * Read the room list as the user gave it (`flag` names it in errors): numbers
 * are RT60s in 0..3 s, paths and file-name patterns (`*`, `?`) are IR files
 * (a folder: every audio file in it), anything else a bank id, checked later
 * against the bank. Returns the rooms, IR files as their ids, and the files.
 */
export async function readRoomList(entries: (number | string)[], flag: string): Promise<{ rooms: Room[]; files: string[] }> {
  const rooms: Room[] = [];
  const files: string[] = [];
  const bad: string[] = [];
  for (const raw of entries) {
    const entry = typeof raw === 'string' ? raw.trim() : raw;
    if (typeof entry === 'number' || NUMBER.test(entry)) {
      const rt60 = Number(entry);
      if (rt60 >= 0 && rt60 <= MAX_RT60_S) rooms.push(rt60);
      else bad.push(String(entry));
    } else if (isPath(entry)) {
      for (const file of await expandIrPath(entry, flag)) {
        const id = basename(file, extname(file));
        if (NUMBER.test(id)) throw new Errors.INVALID_OPTION(`${flag}: the IR ${file} would be named "${id}", which reads as an RT60; rename the file`);
        rooms.push(id);
        files.push(file);
      }
    } else if (/^[\w.:-]+$/.test(entry)) {
      rooms.push(entry);
    } else {
      bad.push(JSON.stringify(entry));
    }
  }
  if (bad.length > 0) {
    throw new Errors.INVALID_OPTION(`${flag}: ${bad.join(', ')} not allowed; expected RT60s in 0..${MAX_RT60_S} s (0: no room), RIR bank ids (see \`earshot rirs\`) or IR files (a path, a folder or a pattern such as irs/*.wav)`);
  }
  return { rooms, files };
}

async function expandIrPath(entry: string, flag: string): Promise<string[]> {
  const path = resolve(entry);
  const dir = dirname(path);
  const pattern = basename(path);
  if (/[*?]/.test(dir)) throw new Errors.INVALID_OPTION(`${flag}: ${entry}: wildcards (* and ?) may appear only in the file name, not in folders`);
  if (!/[*?]/.test(pattern)) {
    const info = await stat(path).catch(() => null);
    if (info === null) throw new Errors.INVALID_OPTION(`${flag}: ${entry}: no such file or folder; give an IR file (WAV, FLAC...), a folder of them, a pattern such as irs/*.wav, or a bank id (see \`earshot rirs\`)`);
    if (!info.isDirectory()) return [path];
    return audioFilesIn(path, () => true, entry, flag);
  }
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`);
  return audioFilesIn(dir, (name) => re.test(name), entry, flag);
}

async function audioFilesIn(dir: string, match: (name: string) => boolean, entry: string, flag: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => null);
  if (names === null) throw new Errors.INVALID_OPTION(`${flag}: ${entry}: no such folder ${dir}`);
  const found = names.filter((n) => AUDIO_EXTENSIONS.has(extname(n).toLowerCase()) && match(n)).sort();
  if (found.length === 0) throw new Errors.INVALID_OPTION(`${flag}: ${entry} matches no audio file (.wav, .flac, .ogg, .mp3) in ${dir}`);
  return found.map((n) => join(dir, n));
}

/** Channels of each receiver the sweep can ask for. */
const RECEIVER_CHANNELS = { mono: 1, binaural: 2, foa: 4 } as const;

/**
 * Why `model` cannot hear bank IR `id`, or null when it can. With receiver
 * `auto` the scene has the IR's own channels: the model must take as many,
 * except that a mono model hears a 2-channel (stereo, binaural) IR as the
 * mean of its two channels, as it hears any 2-channel scene (adaptChannels).
 * FOA components and array mics are not averaged into one microphone: that
 * mix would be no signal a microphone picks up.
 */
export function roomChannelProblem(ir: { id: string; channels: number; layout: string }, model: { id: string; channels: number }, receiver: Receiver): string | null {
  const what = `the IR "${ir.id}" has ${ir.channels} channel(s) (${ir.layout})`;
  if (receiver !== 'auto') {
    if (RECEIVER_CHANNELS[receiver] === ir.channels) return null;
    return `${what} but --receiver ${receiver} has ${RECEIVER_CHANNELS[receiver]}; leave --receiver at auto, or choose IRs with ${RECEIVER_CHANNELS[receiver]} channel(s)`;
  }
  if (ir.channels === model.channels) return null;
  if (model.channels === 1 && ir.channels === 2 && (ir.layout === 'stereo' || ir.layout === 'binaural')) return null;
  const fits = model.channels === 1 ? '1 channel (mono), or 2 (stereo, binaural: heard as their mean)' : `${model.channels} channels`;
  return `${what} but model "${model.id}" takes ${model.channels}; choose IRs with ${fits} (see \`earshot rirs\`), or leave this IR out of the room list`;
}

/** Fail before any work when a model cannot hear a bank IR of the grid; an unknown id fails here too, naming the known ones. */
export async function checkRoomChannels(rooms: Room[], rirs: RirBank, models: { id: string; channels: number }[], receiver: Receiver): Promise<void> {
  for (const room of rooms) {
    if (typeof room !== 'string') continue;
    if (!rirs.list().some((e) => e.id === room)) {
      throw new Errors.INVALID_OPTION(`--room: unknown room "${room}": not an RT60, an IR file or an id of the RIR bank (${rirs.list().map((e) => e.id).join(', ')}; see \`earshot rirs\`)`);
    }
    const ir = await rirs.load(room, ROOM_METRICS_RATE_HZ);
    for (const model of models) {
      const problem = roomChannelProblem({ id: room, channels: ir.length, layout: rirs.entry(room).layout }, model, receiver);
      if (problem !== null) throw new Errors.INVALID_OPTION(`--room: ${problem}`);
    }
  }
}

/**
 * Each room of the grid with its acoustics at 16 kHz: C50, DRR and Schroeder
 * T20/T30 (src/dsp/roomMetrics.ts), and the noise-compensated RT60 of
 * src/dsp/rt60.ts, the robust figure for measured IRs with a noise floor. A
 * bank IR is measured as it is; a simulated room on the source IR of the cell
 * at the first azimuth and seed 0, heard by the first model's receiver, so
 * that rows compare like with like.
 */
export async function measureRooms(spec: Pick<SweepSpec, 'axes' | 'receiver'>, banks: SceneBanks, firstModel: { id: string; channels: number }): Promise<RoomResult[]> {
  const out: RoomResult[] = [];
  const azimuthDeg = spec.axes.azimuthDeg[0];
  for (const room of spec.axes.room) {
    const cell = { model: firstModel.id, snrDb: 'clean' as const, room, azimuthDeg, noise: spec.axes.noise[0], noiseSources: 1, seed: 0, key: '' };
    const scene = await prepareScene(cellCondition(cell, spec.receiver, firstModel.channels), banks, ROOM_METRICS_RATE_HZ);
    const receiver = receiverFor(spec.receiver, firstModel.channels);
    const base = { room, channels: scene.channelCount, layout: scene.receiverLabel };
    if (typeof room === 'string') {
      const entry = banks.rirs.entry(room);
      out.push({ ...base, kind: entry.kind, description: entry.description, measuredOn: `the IR at ${ROOM_METRICS_RATE_HZ / 1000} kHz`, ...acoustics(scene) });
    } else if (room === 0) {
      out.push({ ...base, kind: 'dry', description: 'no room: the dry source', measuredOn: 'nothing (no room)', ...NO_ACOUSTICS });
    } else {
      const dims = scene.sourceRirInfo.room?.dimensionsM.map((d) => d.toFixed(2)).join('×') ?? '';
      out.push({
        ...base,
        kind: 'simulated',
        description: `shoebox room ${dims} m, target RT60 ${room} s`,
        measuredOn: `the source IR at azimuth ${azimuthDeg}°, ${spec.axes.azimuthDeg.length > 1 ? 'the first of the grid, ' : ''}seed 0, ${receiver} receiver, ${ROOM_METRICS_RATE_HZ / 1000} kHz`,
        ...acoustics(scene),
      });
    }
  }
  return out;
}

type Acoustics = Pick<RoomResult, 't20S' | 't30S' | 'c50Db' | 'drrDb' | 'rt60S' | 'rt60Method'>;

const NO_ACOUSTICS: Acoustics = { t20S: null, t30S: null, c50Db: null, drrDb: null, rt60S: null, rt60Method: null };

// The prepared scene's own measurement of its source IR, rounded, plus the noise-compensated RT60.
// An IR too short or noisy to fit leaves its metrics null: it is still a room to sweep.
function acoustics(scene: PreparedScene): Acoustics {
  const ir = scene.sourceRir;
  if (ir === null) return NO_ACOUSTICS;
  const round = (x: number | null, digits: number) => (x === null || !Number.isFinite(x) ? null : Number(x.toFixed(digits)));
  const m = scene.sourceRirInfo.acoustics;
  let out = m ? { ...NO_ACOUSTICS, t20S: round(m.t20S, 3), t30S: round(m.t30S, 3), c50Db: round(m.c50Db, 2), drrDb: round(m.drrDb, 2) } : NO_ACOUSTICS;
  try {
    const r = measureRt60(ir, ROOM_METRICS_RATE_HZ);
    out = { ...out, rt60S: round(r.rt60S, 3), rt60Method: r.method };
  } catch {
    // too little dynamic range for a decay fit
  }
  return out;
}
