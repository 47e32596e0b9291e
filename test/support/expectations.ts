/**
 * What the resilience tests check once its scene has finished, and the backoff each
 * reconnect wait must respect, computed here from the options rather than by the library's
 * own `backoffDelay`, so a wrong formula there shows.
 */
import { expect } from 'vitest';
import { lossViolations, type LossLimits } from './accounting.js';
import type { Finish } from './scene.js';
import type { TrackedClient } from './tracked-client.js';

export { NOTHING_LOST, whatLinksHold } from './accounting.js';

/**
 * No client had two live sockets at once, none kept a socket past its attempt, every message is
 * delivered or reported or lost where the client was told it may be, each socket's messages
 * arrived in send order, and no hop of any link lost more frame bytes than `limits` allow:
 * `whatLinksHold()` where a fault destroys sockets with messages in them, `NOTHING_LOST` where
 * none can.
 */
export function expectAccountedFor({ problems, zombies, losses }: Finish, limits: LossLimits): void {
  expect(problems).toEqual([]);
  expect(
    zombies.map((record) => `client ${record.client} attempt ${record.attempt}`),
    'server sockets left open by ended attempts',
  ).toEqual([]);
  expect(lossViolations(losses, limits), 'messages lost beyond the limit').toEqual([]);
}

export interface Backoff {
  readonly minReconnectDelay: number;
  readonly maxReconnectDelay: number;
  readonly reconnectFactor: number;
}

/** The ceiling of the wait before the `retry`-th reconnect in a row (1-based): min·factor^(retry−1), capped. */
export function ceiling(retry: number, { minReconnectDelay, maxReconnectDelay, reconnectFactor }: Backoff): number {
  return Math.min(maxReconnectDelay, minReconnectDelay * reconnectFactor ** (retry - 1));
}

/**
 * Each reconnect wait names the next attempt and the next retry in a row (for a client whose
 * connection never stayed open `minStableTime`, so the count never restarted), and is drawn
 * below its ceiling.
 */
export function expectBackoff(client: TrackedClient, backoff: Backoff): void {
  client.reconnects.forEach(({ attempt, retry, delay }, i) => {
    expect(attempt, `reconnect #${i + 1}`).toBe(i + 2);
    expect(retry, `reconnect #${i + 1}`).toBe(i + 1);
    expect(delay, `reconnect #${i + 1}`).toBeGreaterThanOrEqual(0);
    expect(delay, `reconnect #${i + 1}`).toBeLessThan(ceiling(retry, backoff));
  });
}
