import { MicCapture } from './mic.ts';

export const MIC_RATE_HZ = 16000;
const SEND_SAMPLES = 1600; // 100 ms per `audio` message
const MAX_BUFFERED_BYTES = 1 << 20;

export interface MicStatus { label: string; inputRateHz: number; sentS: number; droppedBlocks: number }

/**
 * The browser microphone feeding a `push` stream: 16 kHz blocks of 100 ms
 * handed to `send`; a block is dropped (and counted) while more than 1 MiB
 * waits in the socket, so a slow link never builds up minutes of delay.
 */
export class MicFeed {
  private queue: Float32Array[] = [];
  private queued = 0;
  private status: MicStatus;

  private constructor(
    private readonly capture: MicCapture,
    private readonly onStatus: (s: MicStatus) => void,
  ) {
    this.status = { label: capture.label, inputRateHz: capture.inputRateHz, sentS: 0, droppedBlocks: 0 };
    onStatus(this.status);
  }

  /** Ask for the microphone (the browser's permission prompt); rejects with the browser's reason. */
  static async open(onStatus: (s: MicStatus) => void): Promise<MicFeed> {
    return new MicFeed(await MicCapture.open(MIC_RATE_HZ), onStatus);
  }

  /** Start sending; `send` returns false when the block could not go out. */
  start(send: (block: Float32Array) => boolean, bufferedBytes: () => number): void {
    this.capture.onSamples = (samples) => {
      this.queue.push(samples);
      this.queued += samples.length;
      if (this.queued < SEND_SAMPLES) return;
      const block = new Float32Array(this.queued);
      let at = 0;
      for (const s of this.queue) {
        block.set(s, at);
        at += s.length;
      }
      this.queue = [];
      this.queued = 0;
      if (bufferedBytes() > MAX_BUFFERED_BYTES || !send(block)) {
        this.status = { ...this.status, droppedBlocks: this.status.droppedBlocks + 1 };
      } else {
        this.status = { ...this.status, sentS: this.status.sentS + block.length / MIC_RATE_HZ };
      }
      this.onStatus(this.status);
    };
  }

  close(): void {
    this.capture.close();
    this.queue = [];
    this.queued = 0;
  }
}
