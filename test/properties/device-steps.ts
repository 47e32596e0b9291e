/**
 * The steps of the device and of time: the network going away and coming back, the page
 * hidden and shown again, the device sleeping (timers then fire late), and the clock moving.
 */
import fc from 'fast-check';
import { Step } from './step.js';
import type { DeviceMove, MemoryWorld } from './world.js';

class Device extends Step {
  protected readonly phases = 'any';
  constructor(readonly move: Exclude<DeviceMove, 'sleep'>) {
    super();
  }
  protected act(world: MemoryWorld): void {
    world.device(this.move);
  }
  toString(): string {
    return `device: ${{ online: 'back online', offline: 'offline', visible: 'page visible', hidden: 'page hidden' }[this.move]}`;
  }
}

/** The device sleeps: the clock the connection reads jumps ahead; timers wait and then fire late. */
class Sleep extends Step {
  protected readonly phases = 'any';
  constructor(readonly ms: number) {
    super();
  }
  protected act(world: MemoryWorld): void {
    world.device('sleep', this.ms);
  }
  toString(): string {
    return `device sleeps(${this.ms} ms)`;
  }
}

type Advance = { readonly by: number } | { readonly toNextDue: -1 | 0 | 1 };

/** Time passes: by so many ms, or to just before, at or just after the next timer's due time. */
export class AdvanceClock extends Step {
  protected readonly phases = 'any';
  constructor(readonly how: Advance) {
    super();
  }
  protected act(world: MemoryWorld): void {
    if ('by' in this.how) {
      world.advance(this.how.by);
      return;
    }
    const next = world.clock.nextDue;
    if (next !== undefined) world.advance(Math.max(0, next - world.clock.now() + this.how.toNextDue));
  }
  toString(): string {
    if ('by' in this.how) return `clock advances(${this.how.by} ms)`;
    return `clock advances(to the next timeout ${['-1 ms', 'exactly', '+1 ms'][this.how.toNextDue + 1]})`;
  }
}

/** The device's moves, sleeps long enough to outlast a heartbeat interval or not. */
export const deviceMoves: fc.Arbitrary<Step> = fc.oneof(
  fc.constantFrom<Exclude<DeviceMove, 'sleep'>>('online', 'offline', 'visible', 'hidden').map((move) => new Device(move)),
  fc.integer({ min: 1, max: 300 }).map((ms) => new Sleep(ms)),
);
