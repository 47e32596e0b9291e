/**
 * What every step of a memory property is: a move that checks it is possible in the newest
 * socket's phase (the `MemorySocket` throws on an impossible step) and checks again when it
 * runs, since a transport report the scheduler delivered in between may have changed that phase.
 */
import type fc from 'fast-check';
import type { MemoryWorld } from './world.js';

type Phase = MemoryWorld['socket']['phase'];

/** A step of a memory property: possible in some phases of the newest socket, or in any. */
export abstract class Step implements fc.AsyncCommand<MemoryWorld, MemoryWorld> {
  protected abstract readonly phases: readonly Phase[] | 'any';
  protected abstract act(world: MemoryWorld): void;
  abstract toString(): string;

  protected possible(world: MemoryWorld): boolean {
    return this.phases === 'any' || this.phases.includes(world.socket.phase);
  }

  check(world: Readonly<MemoryWorld>): boolean {
    return this.possible(world as MemoryWorld);
  }

  run(_model: MemoryWorld, world: MemoryWorld): Promise<void> {
    world.rethrow();
    if (!this.possible(world)) return Promise.resolve();
    this.act(world);
    world.observe();
    world.rethrow();
    return Promise.resolve();
  }
}
