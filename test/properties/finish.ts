/**
 * Brings a world to its final close after the generated steps, so the end-of-life invariants
 * (every fate known, nothing left behind) are checked on every run, not only on runs that
 * happened to close. The application closes; then either the peer cooperates (writes out,
 * completes the handshake or the abort) or nobody does and the timeouts end it.
 */
import type { MemoryWorld } from './world.js';

export async function finish(world: MemoryWorld, peerCooperates: boolean): Promise<void> {
  world.rethrow();
  await world.settle();
  if (world.connection.readyState < 2) world.close(undefined, undefined, { code: undefined, reason: undefined });
  const closed = () => world.connection.state === 'closed';
  for (let round = 0; !closed(); round++) {
    if (round > 50) throw new Error(`The connection did not close: still ${world.connection.state}`);
    await world.settle();
    if (closed()) break;
    if (!peerCooperates || !cooperate(world)) {
      const next = world.clock.nextDue;
      if (next !== undefined) world.advance(next - world.clock.now());
    }
    world.observe();
  }
  await world.settle();
  world.observe();
  world.rethrow();
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
