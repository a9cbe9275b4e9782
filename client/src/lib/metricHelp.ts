/** One short explanation per metric the dashboard shows (tooltips). */
export const METRIC_HELP = {
  cosine:
    'Cosine similarity of the clean and the degraded embedding of one window: 1 = the model hears the same thing, 0 = unrelated. ' +
    'It can be negative when embedding dimensions take both signs: naive-logmel projects log-mel energies (ln of the band energy: negative in quiet bands, positive in loud ones) at random, ' +
    'so a near-silent clean window and its loud noisy copy point in opposite directions.',
  probeAgreement: 'Probe agreement: the share of recent windows (the last 10 here) whose top probe class is the same on the clean and the degraded audio.',
  cka: 'Linear CKA (centred kernel alignment) between the clean and degraded embeddings of the recent windows: 1 = the same geometry up to rotation and scale; it compares sets of windows, not one.',
  vad: 'Voice activity: the probability (Silero VAD) that the clean window holds speech. Low values mean the drift is measured on silence or noise.',
  deltaProb: 'Δprob: the degraded minus the clean probability of each probe class in this window; a bar pair that parts is a class the degradation moves.',
  latency: 'From the end of a window (captured) to its results sent by the server: p50 and p99 over recent windows.',
  dropped: 'Windows the encoders skipped because a live source outpaced them.',
} as const;
