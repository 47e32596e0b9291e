/**
 * Runs lifecycle paths on the in-memory transport: every socket event of a path becomes the
 * `MemorySocket` call that plays the server or the network, synchronously, so a path runs in
 * well under a millisecond and `bufferedAmount` is exact. Each attempt opens a new socket, and
 * a step's event is made on the newest (a late report from an earlier one is the runner's).
 * The transport has protocol pings, as `ws` does, so the heartbeat runs; `socket.pong` is the
 * server answering the ping.
 */
import { MODEL_INPUT, stateName } from './lifecycle-model.js';
import type { LifecycleDriver } from './lifecycle-runner.js';
import { createMemoryTransport, type MemoryTransport } from '../memory-transport.js';
import { SimulatedClock } from '../simulated-clock.js';

export interface MemoryDriver extends LifecycleDriver {
  readonly memory: MemoryTransport;
}

export function memoryDriver(): MemoryDriver {
  const memory = createMemoryTransport({ pings: true });
  return {
    url: MODEL_INPUT.url,
    clock: new SimulatedClock(),
    transport: memory.transport,
    options: {},
    memory,
    attach() {
      if (memory.sockets.length !== 1) {
        throw new Error('Create the connection with the options the path gives, so that its transport is the one the path drives');
      }
    },
    socket({ event, before }) {
      const socket = memory.socket;
      const state = stateName(before.machine);
      switch (event.type) {
        case 'socket.open':
          socket.accept(event.protocol, event.extensions);
          return;
        case 'socket.error':
          // While connecting, a real transport follows its error with a close; once aborting,
          // the error is the transport confirming the abort.
          if (state === 'connecting') socket.refuse(event.failure.cause, event.failure.message, event.failure.status);
          else if (state === 'closing.aborting') socket.completeAbort();
          else socket.fail(event.failure.cause, event.failure.message);
          return;
        case 'socket.close':
          if (!event.wasClean) {
            socket.drop();
            return;
          }
          // A peer completes a clean close only after reading everything sent before it.
          socket.flush();
          socket.completeClose(event.code, event.reason);
          return;
        case 'socket.drained':
          // Writes out what is held; with nothing held, the socket reports the drain in a microtask.
          socket.flush();
          return Promise.resolve();
        case 'socket.pong':
          socket.pong();
          return;
        default:
          throw new Error(`The memory driver has no stimulus for ${event.type}`);
      }
    },
    async settle() {
      // The memory transport and the shell defer by microtasks only, a few deep (a drain report,
      // replayed by the shell's sequencer); no timer, so an app's fake timers cannot stall it.
      for (let turn = 0; turn < 10; turn++) await Promise.resolve();
    },
    // Nothing real is open: what a path leaves running is only data on the simulated clock.
    async dispose() {},
  };
}
