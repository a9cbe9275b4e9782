import { describe, expect, it } from 'vitest';
import { integerOption, workersOption } from '../../src/cli/integerOption.ts';

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
