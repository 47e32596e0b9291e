/**
 * NamedTimers on the simulated clock: one timer per name, each told how late it fired, which
 * is how the connection tells a device that slept from one that did not.
 */
import { describe, expect, it } from 'vitest';
import { NamedTimers } from '../src/named-timers.js';
import { SimulatedClock } from '../src/testing/index.js';

function setup() {
  const clock = new SimulatedClock();
  const timers = new NamedTimers<'ping' | 'pong'>(clock);
  const fired: string[] = [];
  const fire = (label: string) => (lateBy: number) => fired.push(`${label} late by ${lateBy}`);
  return { clock, timers, fired, fire };
}

describe('NamedTimers', () => {
  it('fires a timer once, after its delay, and forgets it', () => {
    const { clock, timers, fired, fire } = setup();
    timers.start('ping', 100, fire('ping'));
    expect(timers.size).toBe(1);
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual(['ping late by 0']);
    expect(timers.size).toBe(0);
    clock.advance(1000);
    expect(fired).toHaveLength(1);
  });

  it('replaces a running timer of the same name instead of running both', () => {
    const { clock, timers, fired, fire } = setup();
    timers.start('ping', 100, fire('first'));
    timers.start('ping', 300, fire('second'));
    expect(timers.size).toBe(1);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(300);
    expect(fired).toEqual(['second late by 0']);
  });

  it('keeps timers of different names apart', () => {
    const { clock, timers, fired, fire } = setup();
    timers.start('ping', 200, fire('ping'));
    timers.start('pong', 100, fire('pong'));
    expect(timers.size).toBe(2);
    clock.advance(200);
    expect(fired).toEqual(['pong late by 0', 'ping late by 0']);
  });

  it('tells a timer how long after its due time it fired, as after a sleep', () => {
    const { clock, timers, fired, fire } = setup();
    timers.start('ping', 100, fire('ping'));
    clock.advance(40);
    clock.sleep(5000);
    clock.advance(60);
    expect(fired).toEqual(['ping late by 5000']);
  });

  it('cancels a running timer, and takes cancelling one that is not running as a no-op', () => {
    const { clock, timers, fired, fire } = setup();
    timers.start('ping', 100, fire('ping'));
    timers.cancel('ping');
    timers.cancel('pong');
    expect(timers.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    clock.advance(1000);
    expect(fired).toEqual([]);
  });

  it('keeps a timer started again from inside its own callback, so it can still be cancelled', () => {
    const { clock, timers, fired, fire } = setup();
    timers.start('ping', 100, () => timers.start('ping', 100, fire('again')));
    clock.advance(100);
    expect(timers.size).toBe(1);
    timers.cancel('ping');
    expect(clock.pendingTimers).toBe(0);
    clock.advance(1000);
    expect(fired).toEqual([]);
  });
});
