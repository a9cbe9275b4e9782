import { describe, expect, it } from 'vitest';
import { CONDITION_DEFAULTS, validateCondition } from '../../src/scene/condition.ts';

function rejects(input: unknown, ...fragments: string[]) {
  let message = '';
  try {
    validateCondition(input);
  } catch (err) {
    expect((err as { code: string }).code).toBe('EARSHOT_INVALID_CONDITION');
    message = (err as Error).message;
  }
  expect(message, `expected ${JSON.stringify(input)} to be rejected`).not.toBe('');
  for (const f of fragments) expect(message).toContain(f);
}

describe('validateCondition', () => {
  it('fills every field from the defaults', () => {
    expect(validateCondition({})).toEqual({ ...CONDITION_DEFAULTS });
  });

  it('merges nested fields over the defaults', () => {
    const c = validateCondition({ snrDb: 5, source: { azimuthDeg: 90 }, noise: { sources: 3 }, room: { rt60S: 0.6 }, receiver: 'binaural', seed: 7 });
    expect(c.source).toEqual({ azimuthDeg: 90, elevationDeg: 0, distanceM: 1.5 });
    expect(c.noise).toEqual({ ids: ['cafe'], sources: 3 });
    expect(c.room).toEqual({ rt60S: 0.6 });
  });

  it('accepts bank rooms, simulated rooms with dimensions and microphone arrays', () => {
    expect(validateCondition({ room: { bank: 'street' } }).room).toEqual({ bank: 'street' });
    expect(validateCondition({ room: { rt60S: 1, dimensionsM: [8, 6, 3] } }).room).toEqual({ rt60S: 1, dimensionsM: [8, 6, 3] });
    const mics = [[0, 0, 0], [0.05, 0, 0]];
    expect(validateCondition({ receiver: { kind: 'array', micsM: mics } }).receiver).toEqual({ kind: 'array', micsM: mics });
  });

  it('does not alias the defaults', () => {
    const c = validateCondition({});
    c.source.azimuthDeg = 45;
    expect(CONDITION_DEFAULTS.source.azimuthDeg).toBe(0);
  });

  it('names the field, the value and the allowed range', () => {
    rejects({ snrDb: 'loud' }, 'snrDb = "loud"', '-30 to 80', '"clean"');
    rejects({ snrDb: Number.NaN }, 'snrDb = NaN');
    rejects({ snrDb: 200 }, 'snrDb = 200');
    rejects({ room: { rt60S: 0 } }, 'room.rt60S = 0', '0<S<=3');
    rejects({ room: { rt60S: 0.5, walls: 'marble' } }, 'room.walls = "marble" is not a known material', 'carpet_cotton');
    rejects({ room: { rt60S: 0.5, walls: [0.1, 0.2, 1.5, 0.2, 0.2, 0.2] } }, 'room.walls = [0.1,0.2,1.5,0.2,0.2,0.2]', '6 absorption coefficients in (0, 1]');
    rejects({ room: { rt60S: 0.5, walls: [0.1, 0.2] } }, 'room.walls', '6 absorption coefficients');
    rejects({ room: { rt60S: 0.5, air: { temperatureC: 20, humidityPct: 120 } } }, 'room.air.humidityPct = 120', '"humidityPct": 0..100');
    rejects({ room: { rt60S: -1 } }, 'room');
    rejects({ source: { azimuthDeg: 400 } }, 'source.azimuthDeg = 400', '-180..180');
    rejects({ source: { elevationDeg: -91 } }, 'source.elevationDeg = -91', '-90..90');
    rejects({ source: { distanceM: 0 } }, 'source.distanceM = 0', '0.2..50');
    rejects({ noise: { sources: 6 } }, 'noise.sources = 6', '1..5');
    rejects({ noise: { ids: [] } }, 'noise.ids');
    rejects({ noise: { ids: ['cafe', 'rain'], sources: 1 } }, 'noise.sources = 1', 'raise noise.sources to 2');
    rejects({ noise: { ids: ['cafe', 'cafe'], sources: 2 } }, 'lists "cafe" twice');
    rejects({ receiver: 'stereo' }, 'receiver = "stereo"', 'binaural');
    rejects({ seed: -1 }, 'seed = -1', '0..4294967295');
    rejects({ seed: 1.5 }, 'seed = 1.5');
  });

  it('rejects unknown fields and non-objects', () => {
    rejects({ snr: 5 }, 'unknown field "snr"', 'snrDb');
    rejects(null, 'JSON object');
    rejects([1, 2], 'JSON object');
    rejects('clean', 'JSON object');
  });
});
