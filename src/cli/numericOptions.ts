import { Errors } from '../errors.ts';

/** The range an integer flag accepts; both ends included. */
export interface IntegerRange {
  min: number;
  max?: number;
}

/**
 * A commander argument parser (`.option(flags, description, integerOption(...), default)`)
 * for a flag that takes an integer in a range: decimal digits only (no sign,
 * exponent, fraction or spaces), so a typo such as `--workers 1e3` or `--port 80x`
 * stops the command before it runs, with INVALID_OPTION naming the flag, the range
 * and what was given. Commander calls it only on values typed on the command line;
 * give defaults as numbers.
 *
 * @example
 * cmd.option('--cka-windows <n>', 'windows in the rolling CKA', integerOption('cka-windows', { min: 3, max: 1024 }), 32);
 */
export function integerOption(flag: string, { min, max }: IntegerRange): (value: string) => number {
  const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
  return (value) => {
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= (max ?? Number.MAX_SAFE_INTEGER))) throw new Errors.INVALID_OPTION(`--${flag} must be an integer ${range}, got ${JSON.stringify(value)}`);
    return n;
  };
}

/** `--workers`: threads, from 1 to 1024 (the ONNX pool's own limit). */
export const workersOption = integerOption('workers', { min: 1, max: 1024 });

/** The range a number flag accepts: from `min` (included unless `minExcluded`) up to `max` (included). */
export interface NumberRange {
  min: number;
  minExcluded?: boolean;
  max?: number;
}

// A plain decimal, optionally with a fraction and an exponent: what a user types for 0.25 s or 1e6 bytes.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * A commander argument parser for a flag that takes a number in a range, as
 * {@link integerOption} does for integers: anything but a plain decimal
 * (an empty value, `0x10`, `Infinity`, ` 4`) or a number outside the range
 * stops the command with INVALID_OPTION naming the flag, the range and the value.
 *
 * @example
 * cmd.option('--hop <s>', 'hop in seconds', numberOption('hop', { min: 0, minExcluded: true, max: 10 }, 'a number of seconds'));
 */
export function numberOption(flag: string, { min, minExcluded = false, max }: NumberRange, noun = 'a number'): (value: string) => number {
  const range = max === undefined ? `${minExcluded ? 'above' : 'of at least'} ${min}` : minExcluded ? `above ${min} and at most ${max}` : `from ${min} to ${max}`;
  return (value) => {
    const x = DECIMAL.test(value) ? Number(value) : NaN;
    if (!((minExcluded ? x > min : x >= min) && x <= (max ?? Infinity))) throw new Errors.INVALID_OPTION(`--${flag} must be ${noun} ${range}, got ${JSON.stringify(value)}`);
    return x;
  };
}

/** A flag that takes a number above 0 (a duration, a rate, a size). */
export const positiveOption = (flag: string, noun?: string) => numberOption(flag, { min: 0, minExcluded: true }, noun);
