// Run by decodeErrors.test.ts in a child process (as an unprivileged user when the tests run as
// root, whom file permissions do not stop): decodes the file named by the last argument and prints
// the outcome as JSON, {code, message} for an error.
import { decodeAudioFile } from '../../src/audio/decode.ts';

const path = process.argv.at(-1)!;
try {
  const audio = await decodeAudioFile(path);
  process.stdout.write(JSON.stringify({ code: null, message: `decoded ${audio.channels.length} channel(s)` }));
} catch (err) {
  const e = err as Error & { code?: string };
  process.stdout.write(JSON.stringify({ code: e.code ?? null, message: e.message }));
}
