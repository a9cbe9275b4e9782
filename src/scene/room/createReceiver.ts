import { Errors } from '../../errors.ts';
import { binauralReceiver } from './binaural.ts';
import { loadHrtf } from './hrtf.ts';
import { arrayReceiver, foaReceiver, monoReceiver, type Receiver } from './receivers.ts';
import type { ReceiverSpec } from './types.ts';

/**
 * Build the receiver a spec names, at `sampleRateHz`. Binaural loads (once per
 * rate, then cached) the shipped KEMAR HRTF resampled to that rate.
 * Throws `INVALID_OPTION` for an unknown kind or a malformed microphone list.
 *
 * @example
 * const rx = await createReceiver({ kind: 'binaural' }, 16000); // rx.channels === 2
 */
export async function createReceiver(spec: ReceiverSpec, sampleRateHz: number): Promise<Receiver> {
  switch (spec?.kind) {
    case 'mono':
      return monoReceiver();
    case 'foa':
      return foaReceiver();
    case 'binaural':
      return binauralReceiver(await loadHrtf(sampleRateHz));
    case 'array':
      return arrayReceiver(spec.micsM, sampleRateHz);
    default:
      throw new Errors.INVALID_OPTION(
        `receiver.kind must be one of mono, binaural, foa, array, got ${JSON.stringify((spec as { kind?: unknown } | undefined)?.kind)}`,
      );
  }
}
