import { describe, expect, it } from 'vitest';

import { chosenTimeZone, postTime } from '../../src/components/PostItem';

describe('post times', () => {
  it('use the zone a user chose when automatic time zone is off', () => {
    expect(chosenTimeZone({ timezone: { useAutomaticTimezone: 'false', manualTimezone: 'Asia/Tokyo' } })).toBe('Asia/Tokyo');
    expect(chosenTimeZone({ timezone: { useAutomaticTimezone: 'true', manualTimezone: 'Asia/Tokyo' } })).toBeUndefined();
    expect(chosenTimeZone(undefined)).toBeUndefined();
  });

  it('draw the same instant in each zone', () => {
    const at = Date.UTC(2024, 0, 15, 12, 5);
    expect(postTime(at, 'Asia/Tokyo').short).toContain('21:05');
    expect(postTime(at, 'America/New_York').short).toContain('07:05');
    expect(postTime(at, 'UTC').full).toContain('2024');
  });
});
