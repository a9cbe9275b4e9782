import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncScheduler, type Observable, type SchedulerLike } from '../rxjs.ts';
import { Errors } from '../errors.ts';
import { guardedObservable } from './operate.ts';
import type { SourceChunk } from './types.ts';

/** What earshot uses of naudiodon2 (an optional dependency; PortAudio inside). */
export interface PortAudioLike {
  getDevices(): { id: number; name: string; maxInputChannels: number; defaultSampleRate: number }[];
  AudioIO(options: { inOptions: Record<string, unknown> }): {
    on(event: 'data', fn: (buf: Buffer) => void): unknown;
    on(event: 'error', fn: (err: Error) => void): unknown;
    start(): void;
    quit(callback?: () => void): void;
  };
  SampleFormatFloat32: number;
}

/** An input device as PortAudio lists it. */
export type InputDevice = ReturnType<PortAudioLike['getDevices']>[number];

export const NO_INPUT_DEVICE = 'no audio input device; use a file or the browser microphone';

/**
 * Load naudiodon2; a clear error when it is not installed (it is an
 * optionalDependency), or, on Linux, when the machine has no sound card and no
 * sound server: PortAudio would only find nothing there, after printing a page
 * of ALSA errors on stderr.
 */
export async function loadPortAudio(): Promise<PortAudioLike> {
  if (process.platform === 'linux' && !linuxAudioPresent()) throw new Errors.INVALID_OPTION(`${NO_INPUT_DEVICE} (this machine has no sound card)`);
  try {
    const mod = (await import('naudiodon2')) as unknown as { default?: PortAudioLike } & PortAudioLike;
    return mod.default ?? mod;
  } catch (err) {
    throw new Errors.INVALID_OPTION(`${NO_INPUT_DEVICE} (naudiodon2, the optional PortAudio binding, did not load: ${(err as Error).message})`);
  }
}

/** An ALSA card (/proc/asound/cards), or a PulseAudio / PipeWire server that may offer devices of its own. */
function linuxAudioPresent(): boolean {
  let cards = '';
  try {
    cards = readFileSync('/proc/asound/cards', 'utf8');
  } catch {
    // no ALSA driver loaded
  }
  if (/^\s*\d+\s*\[/m.test(cards)) return true;
  const runtimeDir = process.env.XDG_RUNTIME_DIR;
  return process.env.PULSE_SERVER !== undefined || (runtimeDir !== undefined && (existsSync(join(runtimeDir, 'pulse', 'native')) || existsSync(join(runtimeDir, 'pipewire-0'))));
}

/**
 * Pick an input device: by PortAudio id (a number, or a string of digits), by
 * name (exact, else the only one whose name contains it, case-insensitive),
 * or the first input device when `device` is absent. With no input device at
 * all (no sound card) the error says to use a file or the browser microphone.
 */
export function pickInputDevice(devices: InputDevice[], device?: string | number): InputDevice {
  const inputs = devices.filter((d) => d.maxInputChannels > 0);
  if (inputs.length === 0) throw new Errors.INVALID_OPTION(NO_INPUT_DEVICE);
  if (device === undefined) return inputs[0];
  const known = inputs.map((d) => `${d.id} "${d.name}"`).join(', ');
  if (typeof device === 'number' || /^\d+$/.test(device)) {
    const hit = inputs.find((d) => d.id === Number(device));
    if (!hit) throw new Errors.INVALID_OPTION(`no input device with id ${device}; input devices: ${known}`);
    return hit;
  }
  const exact = inputs.find((d) => d.name === device);
  const partial = inputs.filter((d) => d.name.toLowerCase().includes(device.toLowerCase()));
  if (exact) return exact;
  if (partial.length === 1) return partial[0];
  throw new Errors.INVALID_OPTION(`${partial.length === 0 ? 'no' : 'more than one'} input device matches "${device}"; input devices: ${known}`);
}

/** Find the device to open. */
export async function findInputDevice(device?: string | number, portAudio?: PortAudioLike): Promise<InputDevice> {
  const pa = portAudio ?? (await loadPortAudio());
  return pickInputDevice(pa.getDevices(), device);
}

/**
 * The server's microphone as mono float32 chunks at the device's default
 * rate (naudiodon2 / PortAudio). Opens on subscribe, closes on unsubscribe;
 * device errors end the stream with an error. `capturedAtMs` is the wall time
 * a buffer arrived.
 *
 * ```
 * device buffers:  --a--b--c--...   (never completes)
 * ```
 */
export function micSource(opts: { device: InputDevice; portAudio: PortAudioLike; scheduler?: SchedulerLike }): Observable<SourceChunk> {
  const { device, portAudio: pa, scheduler = asyncScheduler } = opts;
  const sr = device.defaultSampleRate;
  return guardedObservable<SourceChunk>('micSource', ({ sub, guard }) => {
    let at = 0;
    const io = pa.AudioIO({ inOptions: { channelCount: 1, sampleFormat: pa.SampleFormatFloat32, sampleRate: sr, deviceId: device.id, closeOnError: true } });
    io.on(
      'data',
      guard((buf: Buffer) => {
        // Copy out of the Buffer: it may be pooled, and a Float32Array view needs 4-byte alignment.
        const samples = new Float32Array(Math.floor(buf.byteLength / 4));
        new Uint8Array(samples.buffer).set(buf.subarray(0, samples.length * 4));
        const t0 = at / sr;
        at += samples.length;
        sub.next({ t0, sampleRateHz: sr, channels: [samples], capturedAtMs: scheduler.now() });
      }),
    );
    io.on('error', (err: Error) => sub.error(new Errors.INVALID_OPTION(`microphone "${device.name}" failed: ${err.message}`)));
    io.start();
    return () => io.quit();
  });
}
