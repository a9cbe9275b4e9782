import { describe, expect, it } from 'vitest';
import { map, take, toArray, firstValueFrom } from 'rxjs';
import { findInputDevice, micSource, NO_INPUT_DEVICE, pickInputDevice, type PortAudioLike } from '../../src/pipeline/micSource.ts';
import { pushSource } from '../../src/pipeline/pushSource.ts';
import { testScheduler } from './helpers.ts';

const device = (id: number, name: string, inputs = 1) => ({ id, name, maxInputChannels: inputs, defaultSampleRate: 48000 });
const devices = [device(0, 'HDA Intel PCH: ALC3246 Analog (hw:0,0)'), device(1, 'HDMI 0', 0), device(2, 'USB Audio Device: Mic (hw:2,0)'), device(3, 'default')];

describe('pickInputDevice', () => {
  it('picks by id, by exact or unique partial name, or the first input device', () => {
    expect(pickInputDevice(devices).id).toBe(0);
    expect(pickInputDevice(devices, 2).id).toBe(2);
    expect(pickInputDevice(devices, '3').id).toBe(3);
    expect(pickInputDevice(devices, 'usb').id).toBe(2);
    expect(pickInputDevice(devices, 'default').id).toBe(3);
  });

  it('no input device at all: the clear error; unknown or ambiguous names list the devices', () => {
    expect(() => pickInputDevice([device(1, 'HDMI 0', 0)])).toThrow(NO_INPUT_DEVICE);
    expect(() => pickInputDevice(devices, 1)).toThrow(/no input device with id 1; input devices: 0 "HDA/);
    expect(() => pickInputDevice(devices, 'webcam')).toThrow(/no input device matches "webcam"/);
    expect(() => pickInputDevice(devices, 'hw:')).toThrow(/more than one input device matches "hw:"/);
  });

  it('through naudiodon2 on this machine: a device, or (no sound card) the clear error', async () => {
    const found = await findInputDevice().then(
      (d) => d.name,
      (err: Error) => err.message,
    );
    expect(typeof found).toBe('string');
    if (!/hw|default|pulse|Mic/i.test(found)) expect(found).toContain(NO_INPUT_DEVICE);
  });
});

describe('micSource', () => {
  it('turns device buffers into mono chunks with stream time, and closes the device on unsubscribe', async () => {
    let handler: ((buf: Buffer) => void) | null = null;
    const calls: string[] = [];
    const fake: PortAudioLike = {
      getDevices: () => devices,
      SampleFormatFloat32: 1,
      AudioIO: (opts) => {
        calls.push(JSON.stringify(opts.inOptions));
        return {
          on: (event: string, fn: (x: never) => void) => void (event === 'data' && (handler = fn as (buf: Buffer) => void)),
          start: () => {
            calls.push('start');
            queueMicrotask(() => {
              for (let k = 0; k < 3; k++) handler!(Buffer.from(Float32Array.from({ length: 480 }, (_, i) => k + i / 1000).buffer));
            });
          },
          quit: () => void calls.push('quit'),
        };
      },
    };
    const chunks = await firstValueFrom(micSource({ device: devices[2], portAudio: fake }).pipe(take(3), toArray()));
    expect(chunks.map((c) => [c.t0, c.sampleRateHz, c.channels[0].length, c.channels[0][1]])).toEqual([
      [0, 48000, 480, expect.closeTo(0.001, 6)],
      [0.01, 48000, 480, expect.closeTo(1.001, 6)],
      [0.02, 48000, 480, expect.closeTo(2.001, 6)],
    ]);
    expect(JSON.parse(calls[0])).toMatchObject({ channelCount: 1, deviceId: 2, sampleRate: 48000, sampleFormat: 1 });
    expect(calls.slice(1)).toEqual(['start', 'quit']);
  });
});

describe('pushSource', () => {
  it('stamps pushed samples with stream time and the push time; non-finite samples become 0', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const input = hot('-a--b-|', { a: Float32Array.of(1, 2, 3), b: Float32Array.of(NaN, 5, Infinity, 7) });
      const out = pushSource(input, { sampleRateHz: 8000 }).pipe(map((c) => [c.t0, c.capturedAtMs, Array.from(c.channels[0])]));
      expectObservable(out).toBe('-a--b-|', { a: [0, 1, [1, 2, 3]], b: [3 / 8000, 4, [0, 5, 0, 7]] });
    });
    expect(() => pushSource(testScheduler().createColdObservable('|'), { sampleRateHz: 100 })).toThrow(/sampleRateHz/);
  });
});
