import { Errors } from '../../errors.ts';
import { padOrCutRows } from '../frontends/featureMatrix.ts';
import { createKaldiFbank, kaldiFrameCount, kaldiFrameSamples } from '../frontends/kaldiFbank.ts';
import type { ModelManifest } from '../manifest.ts';
import type { Encoder, GraphRunner } from '../types.ts';
import { graphInput } from './graphInput.ts';
import { createWindowedEncoder } from './windowedEncoder.ts';

/**
 * The Kaldi-fbank family [B, T, F] (AST, SSAST, BEATs, AudioMAE, ATST,
 * M2D): each call's audio → Kaldi log-mel fbank (torchaudio's kaldi.fbank;
 * `frontEnd.windowType` default 'hanning' as AST, `waveformScale` default 1)
 * → zero-padded (in the log domain) or cut to `targetFrames` → normalised
 * (x − mean) / (2 · std), as transformers' ASTFeatureExtractor does.
 *
 * Each call sees (frame length − shift) samples past its window, so with
 * windowS = targetFrames × frameShift (AST: 10.24 s) every call gets
 * exactly targetFrames whole frames and the frames of consecutive windows
 * lie on one 10 ms grid. Outputs: "B,D" (a pooled vector per window) or
 * "B,T,D" (e.g. patch tokens averaged over frequency). Default timing for
 * "B,T,D": non-overlapping patches of hopS, i.e. frame t centred at
 * frameLength/2 + (hopS − frameShift)/2 + t · hopS; set frameOffsetS
 * for other layouts (AST's stride-10 patches: 0.0875 s + 0.1 s · t).
 *
 * @example
 * const enc = createFbankEncoder({ manifest, runner: await loader.open(path) });
 * const scene = await enc.sceneEmbedding([samples16k]);
 */
export function createFbankEncoder(opts: { manifest: ModelManifest; runner: GraphRunner }): Encoder {
  const { manifest, runner } = opts;
  const fe = manifest.frontEnd;
  if (fe.kind !== 'kaldi-fbank') throw new Errors.INVALID_MODEL(`model "${manifest.id}": frontEnd.kind is "${fe.kind}", not "kaldi-fbank"`);
  const input = graphInput(manifest, runner, 'B,T,F');
  const mismatch = (what: string) => new Errors.MODEL_MISMATCH(`model "${manifest.id}": ${what}`);
  if (input.fixed.T !== undefined && input.fixed.T !== fe.targetFrames) throw mismatch(`the graph takes ${input.fixed.T} frames but frontEnd.targetFrames is ${fe.targetFrames}`);
  if (input.fixed.F !== undefined && input.fixed.F !== fe.numMelBins) throw mismatch(`the graph takes ${input.fixed.F} mel bins but frontEnd.numMelBins is ${fe.numMelBins}`);
  const sr = manifest.sampleRateHz;
  const fbankOpts = { sampleRateHz: sr, numMelBins: fe.numMelBins, frameLengthMs: fe.frameLengthMs, frameShiftMs: fe.frameShiftMs };
  const fbank = createKaldiFbank({ ...fbankOpts, windowType: fe.windowType ?? 'hanning', waveformScale: fe.waveformScale ?? 1 });
  const frame = kaldiFrameSamples(fbankOpts);
  const contextSamples = frame.length - frame.shift;
  const windowSamples = Math.round(manifest.windowS * sr);
  const framesPerWindow = kaldiFrameCount(windowSamples + contextSamples, frame);
  if (framesPerWindow > fe.targetFrames) {
    throw mismatch(`windowS ${manifest.windowS} s makes ${framesPerWindow} fbank frames but targetFrames is ${fe.targetFrames}: audio would be cut. Set windowS <= ${(fe.targetFrames * frame.shift) / sr}`);
  }
  const frameLengthS = frame.length / sr;
  const shiftS = frame.shift / sr;
  const scale = 1 / (2 * fe.std);
  return createWindowedEncoder({
    manifest,
    runner,
    contextSamples,
    timing: { firstCentreS: manifest.frameOffsetS ?? frameLengthS / 2 + (manifest.hopS - shiftS) / 2, hopS: manifest.hopS },
    prepare([mono]) {
      const { data } = padOrCutRows(fbank(mono), fe.targetFrames);
      for (let i = 0; i < data.length; i++) data[i] = (data[i] - fe.mean) * scale;
      return { [manifest.input.name]: { type: 'float32', dims: input.dims({ B: 1, T: fe.targetFrames, F: fe.numMelBins }), data } };
    },
  });
}
