/**
 * The scene where the loss bound bites: a link's upstream is blackholed and the client sends far
 * more than the link can hold (the hop's capacity, `link-capacity.ts`, plus 20 MiB, in 1 KiB
 * messages), then the link dies, dropped by the proxy or found dead by the heartbeat. The
 * kernels keep what their buffers take and lose it with the socket; everything else never left
 * the client's own buffers, so the connection must report it `connection-lost`. A connection
 * that forgot those reports would lose more than any hop can hold, which the accounting names.
 *
 * Shared by `overflow.test.ts` and by the planted-bug check (`mutants.test.ts`), which runs it
 * against a broken shell; so it asserts nothing itself and returns what happened.
 */
import type { ConnectionOptions } from '../../src/index.js';
import { clientFrameBytes } from '../support/frame-reader.js';
import { hopCapacity } from '../support/link-capacity.js';
import { messageText } from '../support/ledger.js';
import type { Finish, startScene } from '../support/scene.js';
import { BLACKHOLE } from '../support/throttle-proxy.js';
import type { TrackedClient } from '../support/tracked-client.js';
import { BEYOND_CAPACITY } from './scale.js';

/** How the overflowing link dies. */
export type LinkDeath = 'dropped' | 'heartbeat-timeout';

const MESSAGE_BYTES = 1024;

const TIMING = {
  minReconnectDelay: 20,
  maxReconnectDelay: 200,
  connectTimeout: 2_000,
  closeTimeout: 500,
  drainTimeout: 500,
  minStableTime: 5_000,
} satisfies ConnectionOptions;

export interface Overflow {
  readonly client: TrackedClient;
  /** The messages sent into the blackhole, in order. */
  readonly burst: readonly number[];
  /** The frame bytes the burst took. */
  readonly burstBytes: number;
  readonly finish: Finish;
}

/** Plays the scene with `start` (the scene module of the module graph under test), and waits until the connection has recovered. */
export async function overflowLink(start: typeof startScene, death: LinkDeath): Promise<Overflow> {
  // Off where the proxy drops the link, so that the drop, not a ping, ends the attempt; quick
  // where it must find the dead link. Sending the burst stalls the event loop for a while, so
  // the first ping may be late: it is still sent, and its pong can never come back.
  const heartbeat = death === 'dropped' ? { heartbeatInterval: 0 } : { heartbeatInterval: 100, heartbeatTimeout: 500 };
  const scene = await start({ ...TIMING, ...heartbeat });
  const client = scene.connect();
  await client.whenOpen();
  await client.whenAcked(client.sendMany(3));
  const link = scene.linkOf(client);
  link.setFlow('upstream', BLACKHOLE);

  const padding = MESSAGE_BYTES - messageText(client.id, client.sent).length - 1;
  const count = Math.ceil((hopCapacity().bytes + BEYOND_CAPACITY) / MESSAGE_BYTES);
  const burst = client.sendMany(count, padding);
  const burstBytes = burst.reduce((sum, seq) => sum + clientFrameBytes(client.bytes[seq]!), 0);
  if (death === 'dropped') link.drop();
  await client.until(() => client.closes.length === 1, 'the close of the overflowing attempt', 20_000);
  await client.whenOpen();
  await client.whenAcked(client.sendMany(3));
  return { client, burst, burstBytes, finish: await scene.finish() };
}
