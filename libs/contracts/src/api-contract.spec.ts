import { UUID_PATTERN } from './api-contract';

describe('UUID_PATTERN', () => {
  it('matches a UUID of any version in either case, and nothing around it', () => {
    expect(UUID_PATTERN.test('00000000-0000-4000-8000-00000000c0de')).toBe(true);
    expect(UUID_PATTERN.test('0F8FAD5B-D9CB-469F-A165-70867728950E')).toBe(true);
    expect(UUID_PATTERN.test('0f8fad5b-d9cb-169f-a165-70867728950e')).toBe(true);
    expect(UUID_PATTERN.test('0f8fad5b-d9cb-469f-a165-70867728950')).toBe(false);
    expect(UUID_PATTERN.test(' 0f8fad5b-d9cb-469f-a165-70867728950e')).toBe(false);
    expect(UUID_PATTERN.test('0f8fad5b-d9cb-469f-a165-70867728950e/history')).toBe(false);
    expect(UUID_PATTERN.test('2026-11-23T00:00:00Z')).toBe(false);
  });
});
