/**
 * Timers on the simulated clock: at most one per name for each owner, each told how late it
 * fired (which is how a connection tells a device that slept from one that did not), and one
 * platform timer per clock for every owner's timers, armed for the earliest.
 */
import { describe, expect, it } from 'vitest';
import { Timers } from '../../src/time.js';
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
