/**
 * `SimulatedClock` of `statesock/testing`, on its own: what every test that passes it as the
 * `clock` option relies on. Timers fire in order of due time, then of creation, only when the
 * test advances time; a sleep moves `now()` and leaves timers where they were.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/testing/index.js';

describe('SimulatedClock', () => {
  it('fires what is due by the time advanced to, in order of due time, then of creation, each at its due time', () => {
    const clock = new SimulatedClock();
    const fired: string[] = [];
    const at = (name: string) => () => fired.push(`${name}@${clock.now()}`);
    clock.setTimeout(at('b'), 20);
    clock.setTimeout(at('a'), 10);
    clock.setTimeout(at('c'), 20);
    clock.setTimeout(at('d'), 21);
    clock.advance(20);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
    expect(clock.now()).toBe(20);
    clock.advance(1);
    expect(fired.at(-1)).toBe('d@21');
  });

  it('fires a timer set by a firing one when it comes due within the same advance, and takes a negative delay as 0', () => {
    const clock = new SimulatedClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 5);
      clock.setTimeout(() => fired.push(clock.now()), -5);
    }, 10);
    clock.advance(15);
    expect(fired).toEqual([10, 10, 15]);
  });

  it('forgets a cleared timer, and counts and dates what is pending', () => {
    const clock = new SimulatedClock();
    const fired: string[] = [];
    const late = clock.setTimeout(() => fired.push('late'), 30);
    clock.setTimeout(() => fired.push('soon'), 10);
    expect([clock.pendingTimers, clock.nextDue]).toEqual([2, 10]);
    clock.clearTimeout(late);
    clock.clearTimeout(12345); // nothing of that handle: no effect
    expect([clock.pendingTimers, clock.nextDue]).toEqual([1, 10]);
    clock.advance(100);
    expect(fired).toEqual(['soon']);
    expect([clock.pendingTimers, clock.nextDue]).toEqual([0, undefined]);
  });

  it('moves now() and not the timers through a sleep: nextDue reads on the clock now() reads', () => {
    const clock = new SimulatedClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 100);
    clock.advance(40);
    clock.sleep(1000);
    expect([clock.now(), clock.monotonic(), clock.nextDue]).toEqual([1040, 40, 1100]);
    clock.advance(59);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual([1100]);
  });
});
