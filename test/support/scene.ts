/**
 * The stage the resilience tests play on: a restartable `ws` backend whose ledger tracks each
 * client's sockets and messages, the fault-injecting proxy in front of it, and tracked clients
 * that connect through the proxy. `finish()` heals the network, checks that no socket outlives
 * its attempt, closes everything and accounts for every message; `close()` is the teardown that
 * runs even when a test failed half-way.
 */
import { afterEach } from 'vitest';
import type { ConnectionOptions } from '../../src/index.js';
import { account, type Account, type HopLoss } from './accounting.js';
import { ServerLedger, type SocketRecord } from './ledger.js';
import { startBackend, type RestartableBackend } from './restartable-backend.js';
import { PASS, startProxy, type Link, type ProxyOptions, type TestProxy } from './throttle-proxy.js';
import { TrackedClient } from './tracked-client.js';

export interface Finish {
  /** One per client, in order. */
  readonly accounts: readonly Account[];
  /** Every problem: the ledger's, then each account's. */
  readonly problems: readonly string[];
  /** What each hop of each link lost, over every client. */
  readonly losses: readonly HopLoss[];
  /** Server sockets of ended attempts still open once the network had healed. */
  readonly zombies: readonly SocketRecord[];
}

export interface Scene {
  readonly proxy: TestProxy;
  readonly backend: RestartableBackend;
  readonly ledger: ServerLedger;
  readonly clients: readonly TrackedClient[];
  /** A new tracked client through the proxy; `options` add to the scene's. */
  connect(options?: ConnectionOptions): TrackedClient;
  /** The proxy's link for `client`'s attempt (its current one by default). */
  linkOf(client: TrackedClient, attempt?: number): Link;
  /** Drops every backend socket, stops the backend, and starts it again on a new port behind the proxy. */
  restartBackend(): Promise<void>;
  /** Ends every fault: the proxy forwards everything again, and the backend runs. */
  heal(): Promise<void>;
  /** Heals, waits (up to `lingerMs`) for the server to see every ended attempt's socket close, closes everything, and accounts. */
  finish(lingerMs?: number): Promise<Finish>;
  /** Closes whatever is still open. */
  close(): Promise<void>;
}

/** Starts a backend and a proxy in front of it; clients get `options` (the scene's timings). */
export async function startScene(options: ConnectionOptions, proxyOptions: Omit<ProxyOptions, 'target'> = {}): Promise<Scene> {
  const clients: TrackedClient[] = [];
  const ledger = new ServerLedger((client, attempt) => clients[client]!.holds(attempt));
  const backend = await startBackend(ledger.accept);
  const proxy = await startProxy({ ...proxyOptions, target: backend.port });
  let closed = false;

  const scene: Scene = {
    proxy,
    backend,
    ledger,
    clients,
    connect(extra = {}) {
      const client = new TrackedClient(clients.length, proxy.url, { ...options, ...extra });
      clients.push(client);
      return client;
    },
    linkOf(client, attempt = client.attempt) {
      for (const link of proxy.links) {
        const query = new URLSearchParams(link.path?.split('?')[1]);
        if (query.get('client') === String(client.id) && query.get('attempt') === String(attempt)) return link;
      }
      throw new Error(`client ${client.id} has no link for attempt ${attempt}`);
    },
    async restartBackend() {
      await backend.stop();
      proxy.retarget(await backend.start());
    },
    async heal() {
      proxy.admit = 'forward';
      proxy.setFlow('both', PASS);
      await proxy.listen();
      proxy.retarget(await backend.start());
    },
    async finish(lingerMs = 5_000) {
      await scene.heal();
      const zombies = await ledger.lingering(lingerMs);
      await scene.close();
      const accounts = clients.map((client) => account(client, ledger, proxy.upstream));
      return {
        accounts,
        zombies,
        problems: [...ledger.violations, ...accounts.flatMap((a) => a.problems)],
        losses: accounts.flatMap((a) => a.losses),
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      // Clients first, while the network still carries their closing handshakes.
      await Promise.all(clients.map((client) => client.connection.close()));
      await proxy.close();
      await backend.stop();
    },
  };
  return scene;
}

/** Call once at the top of a test file; returns `startScene`, whose scene is closed after each test, passed or failed. */
export function useScene(): typeof startScene {
  let current: Scene | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options, proxyOptions) => (current = await startScene(options, proxyOptions));
}
