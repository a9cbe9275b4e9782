import type { StreamFactory } from '../options.ts';
import { ServerErrors } from '../errors.ts';

/** The live pipeline as the server's stream factory. (Wired to createLiveStream once src/pipeline/liveStream.ts lands.) */
export const pipelineStream: StreamFactory = async () => {
  throw new ServerErrors.STREAM_FAILED('(new)', 'the live pipeline (src/pipeline/liveStream.ts) is not in this build yet');
};
