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
