import { describe, expect, it } from 'vitest';
import { integerOption, numberOption, positiveOption, workersOption } from '../../src/cli/numericOptions.ts';

describe('integerOption', () => {
  const cka = integerOption('cka-windows', { min: 3, max: 1024 });

  it('parses decimal digits within the range, ends included', () => {
    expect(cka('3')).toBe(3);
    expect(cka('1024')).toBe(1024);
    expect(integerOption('port', { min: 0 })('0')).toBe(0);
  });

  it.each(['2', '1025', '1e3', '0x10', '-4', '4.0', ' 4', '', 'many'])('refuses %j, naming the flag, the range and the value', (value) => {
    expect(() => cka(value)).toThrow(expect.objectContaining({ code: 'EARSHOT_INVALID_OPTION', message: `--cka-windows must be an integer from 3 to 1024, got ${JSON.stringify(value)}` }));
  });

  it('says "at least" for a range open above, and --workers takes 1 to 1024 threads', () => {
    expect(() => integerOption('max-sweep-cells', { min: 1 })('0')).toThrow('--max-sweep-cells must be an integer of at least 1, got "0"');
    expect(() => workersOption('0')).toThrow('--workers must be an integer from 1 to 1024, got "0"');
    expect(workersOption('2')).toBe(2);
  });
});

describe('numberOption', () => {
  const hop = numberOption('hop', { min: 0, minExcluded: true, max: 10 }, 'a number of seconds');

  it('parses plain decimals, with a fraction or an exponent, within the range', () => {
    expect(hop('0.04')).toBe(0.04);
    expect(hop('.5')).toBe(0.5);
    expect(hop('10')).toBe(10);
    expect(hop('1e-3')).toBe(0.001);
    expect(numberOption('held-out', { min: 0, max: 0.9 }, 'a fraction')('0')).toBe(0);
    expect(positiveOption('uploads-quota')('16e6')).toBe(16e6);
  });

  it.each(['0', '10.5', '-1', '', ' 1', '0x10', 'Infinity', 'NaN', '1,5', '2s'])('refuses %j, naming the flag, the range and the value', (value) => {
    expect(() => hop(value)).toThrow(expect.objectContaining({ code: 'EARSHOT_INVALID_OPTION', message: `--hop must be a number of seconds above 0 and at most 10, got ${JSON.stringify(value)}` }));
  });

  it('words each kind of range', () => {
    expect(() => numberOption('held-out', { min: 0, max: 0.9 }, 'a fraction')('1')).toThrow('--held-out must be a fraction from 0 to 0.9, got "1"');
    expect(() => numberOption('gain', { min: 1 })('0.5')).toThrow('--gain must be a number of at least 1, got "0.5"');
    expect(() => positiveOption('max-push-speed')('0')).toThrow('--max-push-speed must be a number above 0, got "0"');
  });
});
