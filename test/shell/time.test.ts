/**
 * Timers on the simulated clock: at most one per name for each owner, each told how late it
 * fired (which is how a connection tells a device that slept from one that did not), and one
 * platform timer per clock for every owner's timers, armed for the earliest.
 */
import { describe, expect, it } from 'vitest';
import { Timers, type Clock, type TimerHandle } from '../../src/time.js';
import { SimulatedClock } from '../../src/testing/index.js';

type Name = 'ping' | 'pong';

function setup(clock = new SimulatedClock()) {
  const fired: string[] = [];
  const owner = (label: string) => ({
    timerFired: (name: Name, tag: number, lateBy: number) => fired.push(`${label}${name}#${tag} late by ${lateBy}`),
  });
  const timers = new Timers<Name>(clock, owner(''));
  return { clock, timers, fired, owner };
}

/** A simulated clock that records what the timers ask of the platform. */
class RecordingClock implements Clock {
  readonly inner = new SimulatedClock();
  readonly calls: string[] = [];

  now(): number {
    return this.inner.now();
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    this.calls.push(`set ${delayMs}`);
    return this.inner.setTimeout(callback, delayMs);
  }

  clearTimeout(handle: TimerHandle): void {
    this.calls.push(handle === undefined ? 'clear nothing' : 'clear');
    this.inner.clearTimeout(handle);
  }

  /** The calls since the last time this was asked. */
  take(): string[] {
    return this.calls.splice(0);
  }
}

describe('Timers', () => {
  it('fires a timer once, after its delay, with its tag, and forgets it', () => {
    const { clock, timers, fired } = setup();
    timers.start('ping', 100, 7);
    expect(timers.size).toBe(1);
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual(['ping#7 late by 0']);
    expect(timers.size).toBe(0);
    clock.advance(1000);
    expect(fired).toHaveLength(1);
  });

  it('replaces a running timer of the same name instead of running both', () => {
    const { clock, timers, fired } = setup();
    timers.start('ping', 100, 1);
    timers.start('ping', 300, 2);
    expect(timers.size).toBe(1);
    clock.advance(300);
    expect(fired).toEqual(['ping#2 late by 0']);
  });

  it('fires timers of different names in the order they are due, then the order they started', () => {
    const { clock, timers, fired } = setup();
    timers.start('ping', 200, 1);
    timers.start('pong', 100, 1);
    clock.advance(200);
    expect(fired).toEqual(['pong#1 late by 0', 'ping#1 late by 0']);
    timers.start('pong', 50, 2);
    timers.start('ping', 50, 2);
    clock.advance(50);
    expect(fired.slice(2)).toEqual(['pong#2 late by 0', 'ping#2 late by 0']);
  });

  it('tells a timer how long after its due time it fired, as after a sleep, and keeps the delay it had left', () => {
    const { clock, timers, fired } = setup();
    timers.start('ping', 100, 1);
    clock.advance(40);
    clock.sleep(5000);
    clock.advance(59);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual(['ping#1 late by 5000']);
  });

  it('cancels a running timer, and takes cancelling one that is not running as a no-op', () => {
    const { clock, timers, fired } = setup();
    timers.start('ping', 100, 1);
    timers.cancel('ping');
    timers.cancel('pong');
    expect(timers.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    clock.advance(1000);
    expect(fired).toEqual([]);
  });

  it('lets a firing timer start or cancel the others, and runs what is due after it', () => {
    const clock = new SimulatedClock();
    const fired: string[] = [];
    const timers: Timers<Name> = new Timers<Name>(clock, {
      timerFired: (name) => {
        fired.push(name);
        if (name === 'ping') timers.cancel('pong');
        if (fired.length === 1) timers.start('ping', 0, 1);
      },
    });
    timers.start('pong', 10, 1);
    timers.start('ping', 10, 1);
    clock.advance(10);
    // pong fired first and started ping again at once; ping then cancelled nothing left to cancel.
    expect(fired).toEqual(['pong', 'ping']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('serves every owner on one clock with one platform timer, armed for the earliest', () => {
    const clock = new SimulatedClock();
    const { timers: first, fired, owner } = setup(clock);
    const second = new Timers<Name>(clock, owner('second '));
    first.start('ping', 300, 1);
    second.start('ping', 100, 1);
    second.start('pong', 200, 1);
    expect(clock.pendingTimers).toBe(1);
    expect(clock.nextDue).toBe(100);
    second.cancel('ping');
    expect(clock.nextDue).toBe(200);
    clock.advance(300);
    expect(fired).toEqual(['second pong#1 late by 0', 'ping#1 late by 0']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('arms the platform timer only when the earliest due changes, and clears only one it armed', () => {
    const clock = new RecordingClock();
    const timers = new Timers<Name>(clock, { timerFired: () => {} });
    timers.start('ping', 100, 0);
    expect(clock.take()).toEqual(['set 100']);
    timers.start('pong', 150, 0);
    expect(clock.take()).toEqual([]);
    timers.start('pong', 50, 0);
    expect(clock.take()).toEqual(['clear', 'set 50']);
    timers.cancel('pong');
    timers.cancel('ping');
    expect(clock.take()).toEqual(['clear', 'set 100', 'clear']);
  });

  it('arms nothing while timers fire, then once for what the run left; one started during the run waits for that', () => {
    const clock = new RecordingClock();
    const fired: string[] = [];
    const timers: Timers<Name> = new Timers<Name>(clock, {
      timerFired: (name) => {
        fired.push(`${name} at ${clock.now()}`);
        if (fired.length === 1) timers.start('ping', 0, 0);
      },
    });
    const other = new Timers<Name>(clock, { timerFired: (name) => fired.push(`other ${name} at ${clock.now()}`) });
    timers.start('ping', 10, 0);
    other.start('pong', 10, 0);
    clock.take();
    clock.inner.advance(10);
    // Both fired in one run, arming nothing between them; the ping started during the run,
    // due at once, went to a platform timer of its own, armed after the run.
    expect(fired).toEqual(['ping at 10', 'other pong at 10', 'ping at 10']);
    expect(clock.take()).toEqual(['set 0']);
  });

  it('fires what a sleep made due in one run, arming nothing in between', () => {
    const clock = new RecordingClock(); // no monotonic(): timers run on now(), which a sleep moves
    const fired: string[] = [];
    const timers = new Timers<Name>(clock, { timerFired: (name, _, lateBy) => fired.push(`${name} late by ${lateBy}`) });
    timers.start('ping', 10, 0);
    timers.start('pong', 20, 0);
    clock.take();
    clock.inner.sleep(50);
    clock.inner.advance(10);
    expect(fired).toEqual(['ping late by 50', 'pong late by 40']);
    expect(clock.take()).toEqual([]);
  });

  it('orders hundreds of timers of many owners by due time', () => {
    const clock = new SimulatedClock();
    const order: number[] = [];
    const owners = Array.from({ length: 300 }, (_, i) => new Timers<Name>(clock, { timerFired: () => order.push(i) }));
    // Due times in a scrambled order, some equal: equal ones fire in the order they started.
    const dues = owners.map((_, i) => ((i * 7919) % 97) * 3);
    owners.forEach((timers, i) => timers.start('ping', dues[i]!, 0));
    owners.forEach((timers, i) => i % 5 === 0 && timers.cancel('ping'));
    clock.advance(1000);
    const expected = owners
      .map((_, i) => i)
      .filter((i) => i % 5 !== 0)
      .sort((a, b) => dues[a]! - dues[b]! || a - b);
    expect(order).toEqual(expected);
  });
});
