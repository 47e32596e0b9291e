/**
 * Brings a world to its end after the generated steps, so the end-of-life invariants (every
 * fate known, nothing left behind) are checked on every run, not only on runs that happened to
 * end. Either the network stays down (every connect refused, every socket dropped) until the
 * connection gives up, or the application closes; then either the peer cooperates (writes
 * out, completes the handshake or the abort) or nobody does and the timeouts end it.
 */
import type { MemoryWorld } from './world.js';

/** Enough for `maxRetries` up to 3; a connection that never gives up is closed after them. */
const DOWN_ROUNDS = 30;

/** Ends the world's connection as its configuration says (`ending`, `peerCooperates`), checking the invariant on the way. */
export async function finish(world: MemoryWorld): Promise<void> {
  world.rethrow();
  await world.settle();
  if (world.config.ending === 'network-down') await networkStaysDown(world);
  let closedJustNow = false;
  // A call, not a property read: the world changes across every await in between.
  const ended = (): boolean => world.ended;
  for (let round = 0; !ended(); round++) {
    if (round > 50) throw new Error(`The connection did not close: still ${world.connection.state}`);
    await world.settle();
    if (ended()) break;
    // Also when closing after an error brought a reconnect: close() ends a connection for good.
    closedJustNow = !closedJustNow && world.connection.readyState < 2;
    if (closedJustNow) world.close(undefined, undefined, { code: undefined, reason: undefined });
    else if (!world.config.peerCooperates || !cooperate(world)) advanceToNextTimer(world);
    world.observe();
  }
  await world.settle();
  world.observe();
  world.rethrow();
}

/** The network refuses every connect and drops every open socket; the clock runs the waits. */
async function networkStaysDown(world: MemoryWorld): Promise<void> {
  const ended = (): boolean => world.ended;
  for (let round = 0; round < DOWN_ROUNDS && !ended(); round++) {
    await world.settle();
    if (ended()) break;
    const { socket } = world;
    if (socket.phase === 'connecting' && socket.closeRequest === undefined) socket.refuse('refused', 'connect ECONNREFUSED');
    else if (socket.phase === 'open') socket.drop();
    else advanceToNextTimer(world);
    world.observe();
    world.rethrow();
  }
}

function advanceToNextTimer(world: MemoryWorld): void {
  const next = world.clock.nextDue;
  if (next !== undefined) world.advance(next - world.clock.now());
}

/** One step a well-behaved peer would take now; false if it has none. */
function cooperate(world: MemoryWorld): boolean {
  const { socket } = world;
  switch (socket.phase) {
    case 'connecting':
      if (socket.closeRequest === undefined) return false;
      socket.completeAbort();
      return true;
    case 'open':
    case 'closing':
      if (socket.bufferedAmount > 0) world.flush(Infinity);
      else if (socket.closeRequest !== undefined) socket.completeClose();
      else return false;
      return true;
    default:
      return false;
  }
}
