import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { conditionFlags, conditionJson } from '../../client/src/lib/conditionText.ts';
import { CSV_COLUMNS, MetricsLog } from '../../client/src/lib/metricsLog.ts';
import { PRESETS, presetProblem } from '../../client/src/lib/presets.ts';
import type { Condition, ResultMsg } from '../../client/src/lib/wire.ts';
import { ModelTrack } from '../../client/src/lib/track.ts';
import { snrStep } from '../../client/src/lib/shortcuts.ts';
import { resultMsg } from '../helpers/resultMsg.ts';
import { addConditionOptions, conditionFromOptions } from '../../src/cli/conditionOptions.ts';
import { validateCondition } from '../../src/scene/condition.ts';
import { openBanks } from '../../src/scene/render.ts';
import { prepareScene } from '../../src/scene/prepare.ts';

// The dashboard's monitoring helpers, in Node: copy-as-flags, presets, metrics export, gaps in the charts' series.

// Results with a class name holding a comma, Δprob and VAD, for the export.
function result(seq: number, probe = true): ResultMsg {
  const r = resultMsg(seq, probe);
  return {
    ...r,
    probe: r.probe && { ...r.probe, classes: ['a', 'b,c'] },
    metrics: { ...r.metrics, classDeltas: probe ? [-0.5, 0.5] : null, vadProbability: 0.25 },
  };
}

// Parse flags as `earshot render` does.
async function fromFlags(line: string): Promise<Condition> {
  const cmd = addConditionOptions(new Command().exitOverride());
  const argv = line.match(/'[^']*'|\S+/g)!.map((a) => a.replace(/^'(.*)'$/, '$1'));
  cmd.parse(argv, { from: 'user' });
  return conditionFromOptions(cmd.opts(), (name) => cmd.getOptionValueSource(name) === 'cli');
}

describe('copy the condition', () => {
  const conditions: Record<string, Condition> = {
    'a bank IR, receiver auto, two noises': { snrDb: 5, room: { bank: 'street' }, source: { azimuthDeg: 30, elevationDeg: 10, distanceM: 2 }, receiver: 'auto', noise: { ids: ['cafe', 'rain'], sources: 3 }, seed: 7, snrMode: 'per-channel' },
    'a simulated room in full, binaural': { snrDb: -5, room: { rt60S: 0.6, dimensionsM: [6, 4.5, 3], walls: 'carpet_cotton', air: null }, source: { azimuthDeg: -90, elevationDeg: 0, distanceM: 1.5 }, receiver: 'binaural', noise: { ids: ['pink'], sources: 1 }, seed: 0 },
    'clean, a mic array': { snrDb: 'clean', room: { rt60S: 0.3, walls: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], air: { temperatureC: 20, humidityPct: 50 } }, source: { azimuthDeg: 0, elevationDeg: 0, distanceM: 1.5 }, receiver: { kind: 'array', micsM: [[0, 0, 0], [0.05, 0, 0]] }, noise: { ids: ['cafe'], sources: 1 }, seed: 1 },
  };
  it.each(Object.entries(conditions))('%s: the CLI flags give back the same condition', async (_, c) => {
    expect(await fromFlags(conditionFlags(c))).toEqual(validateCondition(c));
  });

  it('the JSON is the condition itself', () => {
    const c = conditions['a bank IR, receiver auto, two noises'];
    expect(JSON.parse(conditionJson(c))).toEqual(c);
  });
});

describe('condition presets', () => {
  it('each preset is a valid condition whose scene the shipped banks can prepare', async () => {
    const banks = await openBanks();
    const rirs = banks.rirs.list().map((r) => r.id);
    const noises = banks.noises.list().map((n) => n.id);
    expect(PRESETS.map((p) => p.name)).toEqual(expect.arrayContaining(['living room, TV at 5 dB', 'street café, 0 dB', 'Nat-HEAR-like hall']));
    for (const p of PRESETS) {
      expect(presetProblem(p, rirs, noises)).toBeNull();
      const scene = await prepareScene(validateCondition(p.condition), banks, 16000);
      expect(scene.channelCount).toBeGreaterThan(0);
    }
    expect(presetProblem(PRESETS.find((p) => p.name === 'street café, 0 dB')!, ['hall'], noises)).toBe('the server has no IR "street"');
  }, 60_000);
});

describe('metrics export', () => {
  it('CSV: a header and one row per window, empty cells for missing values, quoted commas', () => {
    const log = new MetricsLog();
    log.push(result(0));
    log.push(result(1, false));
    const lines = log.toCsv().trimEnd().split('\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(3);
    const first = lines[1].split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    const at = (col: string, row = first) => row[CSV_COLUMNS.indexOf(col as never)];
    expect(at('cosine')).toBe('0.5');
    expect(at('cleanTop')).toBe('a');
    expect(at('degradedTop')).toBe('"b,c"');
    expect(at('cka')).toBe('');
    const second = lines[2].split(',');
    expect(at('probeAgreement', second)).toBe('');
    expect(at('seq', second)).toBe('1');
  });

  it('NDJSON: one object per window with the probe probabilities and Δprob', () => {
    const log = new MetricsLog();
    log.push(result(3));
    const [line] = log.toNdjson().trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(line).toMatchObject({ seq: 3, model: 'm', cosine: 0.53, classes: ['a', 'b,c'], clean: [0.9, 0.1], degraded: [0.4, 0.6], classDeltas: [-0.5, 0.5], vadProbability: 0.25 });
  });
});

describe('gaps', () => {
  it('a jump in seq (windows dropped or skipped) puts a row of nulls between its neighbours', () => {
    const track = new ModelTrack('m');
    track.push(result(0), new Float32Array(3).fill(1), new Float32Array(3).fill(1), 1100);
    track.push(result(1), new Float32Array(3).fill(1), new Float32Array(3).fill(1), 1100);
    const snap = track.push(result(5), new Float32Array(3).fill(1), new Float32Array(3).fill(1), 1100);
    expect(snap.cosine).toEqual([0.5, 0.51, null, 0.55]);
    expect(snap.t[2]).toBeCloseTo((snap.t[1] + snap.t[3]) / 2);
    expect(snap.probe!.clean[0]).toEqual([0.9, 0.9, null, 0.9]);
    expect(snap.latencyMs[2]).toBeNull();
    expect(snap.cosineRecent).toBeCloseTo((0.5 + 0.51 + 0.55) / 3);
  });
});

describe('keyboard SNR steps', () => {
  it('move by 5 dB between -10 and 40, with clean above 40', () => {
    expect(snrStep(10, 1)).toBe(15);
    expect(snrStep(12, 1)).toBe(15);
    expect(snrStep(12, -1)).toBe(10);
    expect(snrStep(-10, -1)).toBe(-10);
    expect(snrStep(40, 1)).toBe('clean');
    expect(snrStep('clean', -1)).toBe(40);
    expect(snrStep('clean', 1)).toBe('clean');
  });
});
