/**
 * A WAV file (RIFF, 32-bit IEEE float, WAVE_FORMAT_IEEE_FLOAT) of equal-length
 * channels, interleaved. Values are written as they are: nothing is clipped,
 * so a degraded mix louder than full scale survives the round trip.
 */
export function encodeWavFloat32(channels: Float32Array[], sampleRateHz: number): Blob {
  if (channels.length === 0) throw new RangeError('a WAV file needs at least one channel');
  const frames = channels[0].length;
  if (channels.some((c) => c.length !== frames)) throw new RangeError('all WAV channels must have the same length');
  const nCh = channels.length;
  const dataBytes = frames * nCh * 4;
  const buf = new ArrayBuffer(44 + dataBytes);
  const v = new DataView(buf);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) v.setUint8(at + i, s.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 3, true); // IEEE float
  v.setUint16(22, nCh, true);
  v.setUint32(24, sampleRateHz, true);
  v.setUint32(28, sampleRateHz * nCh * 4, true);
  v.setUint16(32, nCh * 4, true);
  v.setUint16(34, 32, true);
  ascii(36, 'data');
  v.setUint32(40, dataBytes, true);
  let at = 44;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nCh; c++) {
      v.setFloat32(at, channels[c][i], true);
      at += 4;
    }
  }
  return new Blob([buf], { type: 'audio/wav' });
}
