// Constants of protocol v1 (server/PROTOCOL.md) that both ends need at run time.

/** Protocol version spoken on /ws: every text frame carries it as `v`. */
export const PROTOCOL_VERSION = 1;

/** Binary frames: "ESHT" + kind + count + reserved, all little-endian uint32 after the magic, then `count` float32 values. */
export const HEADER_BYTES = 16;
export const MAGIC = 'ESHT';
export const FRAME_KIND = { embeddings: 1, audio: 2 } as const;
