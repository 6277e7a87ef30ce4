import { describe, expect, it } from 'vitest';
import { bytes, thousands } from './format';

describe('thousands', () => {
  it('groups digits by three', () => {
    expect(thousands(0)).toBe('0');
    expect(thousands(999)).toBe('999');
    expect(thousands(1000)).toBe('1,000');
    expect(thousands(1000188)).toBe('1,000,188');
    expect(thousands(-1234567)).toBe('-1,234,567');
  });
});

describe('bytes', () => {
  it('picks a readable unit', () => {
    expect(bytes(512)).toBe('512 B');
    expect(bytes(4500)).toBe('4.5 KB');
    expect(bytes(123_000_000)).toBe('123.0 MB');
  });
});
