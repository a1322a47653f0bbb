import { backoffDelayMs } from '../../src/agent/agent';

describe('the agent\'s reconnect back-off', () => {
  it('waits a random time below a ceiling that doubles up to the cap (full jitter)', () => {
    expect(backoffDelayMs(0, 1000, 60_000, () => 0.999)).toBe(999);
    expect(backoffDelayMs(3, 1000, 60_000, () => 0.5)).toBe(4000);
    expect(backoffDelayMs(40, 1000, 60_000, () => 0.999)).toBe(59_940);
    expect(backoffDelayMs(5, 1000, 60_000, () => 0)).toBe(0);
  });
});
