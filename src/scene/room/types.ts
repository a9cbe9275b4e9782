/**
 * Public types of the shoebox room simulator.
 *
 * Coordinates. The room is the box [0, Lx] × [0, Ly] × [0, Lz] metres, z up.
 * The receiver faces +x. Directions follow SOFA and ambisonics: azimuth in
 * degrees, 0 = straight ahead (+x), positive = counterclockwise seen from
 * above, so +90° is the receiver's LEFT (+y) and −90° its right; range
 * −180..180. Elevation in degrees, 0 = horizontal, +90 = straight up, range
 * −90..90. A direction (az, el) is the unit vector
 * (cos el · cos az, cos el · sin az, sin el).
 */

/** A shoebox room: inner dimensions [Lx, Ly, Lz] in metres and the target reverberation time. */
export interface RoomSpec {
  dimensionsM: [number, number, number];
  /**
   * Target RT60 in seconds: the Sabine RT60 at mid frequencies (mean of the 500 Hz and
   * 1 kHz octave bands, with air absorption). Each octave band of the IR decays at its own
   * band's Sabine RT60.
   */
  rt60S: number;
  /**
   * Wall absorption's spectral shape: a material name (see `MATERIALS`) or six octave-band
   * coefficients at 125 Hz … 4 kHz, each in (0, 1]. They are scaled together to reach
   * `rt60S`. Default: `flat` (frequency-independent walls).
   */
  walls?: string | number[];
  /** The air: ISO 9613-1 absorption at this temperature and humidity; default 20 °C, 50 %; null for none. */
  air?: AirSpec | null;
}

/** Air for atmospheric absorption. */
export interface AirSpec {
  /** −20..50 °C. */
  temperatureC: number;
  /** Relative humidity, 0..100 %. */
  humidityPct: number;
}

/** Where the source sits relative to the receiver (see the coordinate note above). */
export interface Placement {
  /** Degrees, −180..180, 0 = front, +90 = left. */
  azimuthDeg: number;
  /** Degrees, −90..90, +90 = up. */
  elevationDeg: number;
  /** Metres from the receiver's centre (the head centre for binaural, the array centre for arrays). */
  distanceM: number;
}

/**
 * The receiver and the channels it yields:
 * - `mono`: one omnidirectional microphone, 1 channel;
 * - `binaural`: the MIT KEMAR head (measured HRTF), 2 channels, channel 0 = LEFT ear, 1 = right;
 * - `foa`: first-order ambisonics, 4 channels in ACN order W, Y, Z, X with SN3D normalisation
 *   (W = p, Y = p·sin az·cos el, Z = p·sin el, X = p·cos az·cos el);
 * - `array`: omni microphones at `micsM` (metres, relative to the array centre, in the room's
 *   axes: +x front, +y left, +z up), one channel each, in the order given.
 */
export type ReceiverSpec =
  | { kind: 'mono' }
  | { kind: 'binaural' }
  | { kind: 'foa' }
  | { kind: 'array'; micsM: [number, number, number][] };

/** Everything `simulateRir` needs. */
export interface SimulateOptions {
  /** The room, or null for free field (anechoic): the direct path alone. */
  room: RoomSpec | null;
  /** Receiver centre in the room, metres. Default: `defaultReceiverPosition(room)` (near the centre, ear height 1.5 m); ignored in free field. */
  receiverPositionM?: [number, number, number];
  source: Placement;
  receiver: ReceiverSpec;
  sampleRateHz: number;
  /** IR length in seconds. Default: min(1.2·RT60 + 0.1, 2.5) in a room; in free field the direct path plus 30 ms. */
  lengthS?: number;
  /** Seeds the stochastic late tail: same options and seed give bit-identical output. */
  seed: number;
}
