import type { ResultMsg } from '../../client/src/lib/wire.ts';

/** A `result` message of model "m" on stream "s1" for the dashboard's unit tests: window `seq` of 0.78 s every 0.08 s, cosine 0.5 + seq/100, a two-class probe unless `probe` is false. */
export function resultMsg(seq: number, probe = true): ResultMsg {
  return {
    type: 'result',
    streamId: 's1',
    model: 'm',
    seq,
    t0S: seq * 0.08,
    t1S: seq * 0.08 + 0.78,
    capturedAtMs: 1000,
    encodedAtMs: 1010,
    sentAtMs: 1012,
    conditionVersion: 0,
    probe: probe ? { id: 'p', classes: ['a', 'b'], clean: [0.9, 0.1], degraded: [0.4, 0.6], smooth: 1 } : null,
    metrics: { cosine: 0.5 + seq / 100, probeAgreement: probe ? 0 : null, classDeltas: null, cka: null, vadProbability: null, levelDbfs: { clean: -20, degraded: -18 } },
    droppedTotal: 0,
    embeddingDim: 3,
  };
}
