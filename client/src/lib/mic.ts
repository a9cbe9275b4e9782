import { StreamResampler } from './resample.ts';

// Collects 2048-sample blocks on the audio thread and posts them to the page.
const WORKLET = `
class EarshotMicTap extends AudioWorkletProcessor {
  constructor() { super(); this.block = new Float32Array(2048); this.n = 0; }
  process(inputs) {
    const input = inputs[0];
    if (input && input.length) {
      const len = input[0].length;
      for (let i = 0; i < len; i++) {
        let s = 0;
        for (let c = 0; c < input.length; c++) s += input[c][i];
        this.block[this.n++] = s / input.length;
        if (this.n === this.block.length) { this.port.postMessage(this.block); this.block = new Float32Array(2048); this.n = 0; }
      }
    }
    return true;
  }
}
registerProcessor('earshot-mic-tap', EarshotMicTap);
`;

/**
 * The browser microphone, mono at `targetRateHz`: getUserMedia (echo
 * cancellation, noise suppression and gain control off, so the model hears
 * the room as it is) -> an AudioWorklet tap (a ScriptProcessor where
 * AudioWorklet is missing) -> StreamResampler -> `onSamples`. Open it from a
 * click; the browser asks for permission, and a refusal rejects `open` with
 * the browser's reason.
 */
export class MicCapture {
  onSamples: ((samples: Float32Array) => void) | null = null;

  private constructor(
    private readonly stream: MediaStream,
    private readonly ctx: AudioContext,
    private readonly nodes: AudioNode[],
    readonly label: string,
    private readonly resampler: StreamResampler,
  ) {}

  get inputRateHz(): number {
    return this.ctx.sampleRate;
  }

  static async open(targetRateHz = 16000): Promise<MicCapture> {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error('this page cannot use the microphone: browsers allow it only on https:// or http://localhost');
    }
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    const ctx = new AudioContext();
    const resampler = new StreamResampler(ctx.sampleRate, targetRateHz);
    const source = ctx.createMediaStreamSource(stream);
    const sink = ctx.createGain();
    sink.gain.value = 0; // keeps the tap pulled without playing the mic back
    sink.connect(ctx.destination);
    const label = stream.getAudioTracks()[0]?.label || 'microphone';
    let mic: MicCapture;
    const deliver = (block: Float32Array) => {
      const out = resampler.push(block);
      if (out.length) mic.onSamples?.(out);
    };
    if (ctx.audioWorklet) {
      const url = URL.createObjectURL(new Blob([WORKLET], { type: 'text/javascript' }));
      try {
        await ctx.audioWorklet.addModule(url);
      } finally {
        URL.revokeObjectURL(url);
      }
      const tap = new AudioWorkletNode(ctx, 'earshot-mic-tap', { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit' });
      tap.port.onmessage = (e: MessageEvent<Float32Array>) => deliver(e.data);
      source.connect(tap).connect(sink);
      mic = new MicCapture(stream, ctx, [source, tap, sink], label, resampler);
    } else {
      const tap = ctx.createScriptProcessor(2048, 1, 1);
      tap.onaudioprocess = (e) => deliver(Float32Array.from(e.inputBuffer.getChannelData(0)));
      source.connect(tap).connect(sink);
      mic = new MicCapture(stream, ctx, [source, tap, sink], label, resampler);
    }
    await ctx.resume();
    return mic;
  }

  close(): void {
    this.onSamples = null;
    for (const n of this.nodes) n.disconnect();
    for (const t of this.stream.getTracks()) t.stop();
    void this.ctx.close();
  }
}
