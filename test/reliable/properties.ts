/**
 * The reliable session's properties, over random runs of the in-memory world (`world.ts`): the
 * applications on both sides send, and the network moves frames one at a time in either
 * direction, drops the link at any point (between any two frames, mid-handshake, mid-replay),
 * lets time pass, accepts reconnects, and (in the restart worlds) restarts the server. Then
 * the network heals and runs until nothing moves, and the invariants are checked.
 *
 * Each invariant throws with a message that starts with its name, so that a planted bug
 * (`mutants.ts`) is caught for its own reason.
 */
import fc from 'fast-check';
import { microtasks, SessionWorld } from './world.js';

export type Action =
  | { readonly t: 'clientSend' }
  | { readonly t: 'serverSend' }
  | { readonly t: 'toServer' }
  | { readonly t: 'toClient' }
  | { readonly t: 'drop' }
  | { readonly t: 'tick' }
  | { readonly t: 'accept' }
  | { readonly t: 'restart' };

/** Runs per property, here and in the planted-bug checks: a planted bug must be found within them. */
export const RUNS = 200;

export const LIMIT = 4;
/** How far one `tick` moves time: past the acknowledgement delay (50 ms) and the reconnect delay (100 ms) in two. */
const TICK = 60;

/** Random runs: mostly sends and frames moving, drops and ticks anywhere, restarts only where asked. */
export function runs(restarts: boolean): fc.Arbitrary<Action[]> {
  const one = (t: Action['t'], weight: number) => ({ weight, arbitrary: fc.constant({ t }) });
  return fc.array(
    fc.oneof(
      one('clientSend', 4),
      one('serverSend', 4),
      one('toServer', 5),
      one('toClient', 5),
      one('drop', 1),
      one('tick', 2),
      one('accept', 2),
      ...(restarts ? [one('restart', 1)] : []),
    ),
    { maxLength: 60, size: 'max' },
  );
}

export interface Outcome {
  readonly world: SessionWorld;
  /** What each application's `send()` accepted, in order. */
  readonly clientAccepted: string[];
  readonly serverAccepted: string[];
  /** The most either side held unacknowledged at any point. */
  readonly mostHeld: { client: number; server: number };
}

/** Plays `actions`, then heals the network and lets it settle. */
export async function play(actions: readonly Action[]): Promise<Outcome> {
  const world = new SessionWorld({
    // The hello is never late here: a late one is a fallback to plain guarantees, which the unit tests cover.
    client: { maxUnackedMessages: LIMIT, ackDelay: 50, helloTimeout: 1e8 },
    // No expiry within a run: a session survives any number of drops, so everything must arrive.
    server: { maxUnackedMessages: LIMIT, ackDelay: 50, sessionTimeout: 1e9 },
  });
  const clientAccepted: string[] = [];
  const serverAccepted: string[] = [];
  const mostHeld = { client: 0, server: 0 };
  let sent = 0;
  const note = () => {
    mostHeld.client = Math.max(mostHeld.client, world.client.unackedMessages);
    mostHeld.server = Math.max(mostHeld.server, world.serverSession?.unackedMessages ?? 0);
  };
  for (const action of actions) {
    switch (action.t) {
      case 'clientSend': {
        const message = `c${++sent}`;
        if (world.client.send(message)) clientAccepted.push(message);
        break;
      }
      case 'serverSend': {
        const message = `s${++sent}`;
        if (world.serverSession?.send(message)) serverAccepted.push(message);
        break;
      }
      case 'toServer':
        world.toServer();
        break;
      case 'toClient':
        world.toClient();
        break;
      case 'drop':
        world.dropLink();
        break;
      case 'tick':
        world.clock.advance(TICK);
        break;
      case 'accept':
        world.accept();
        break;
      case 'restart':
        world.restartServer();
        break;
    }
    note();
    await microtasks();
  }
  await world.settle();
  note();
  return { world, clientAccepted, serverAccepted, mostHeld };
}

const fail = (invariant: string, detail: string): never => {
  throw new Error(`${invariant}: ${detail}`);
};

const show = (list: readonly string[]) => `[${list.join(' ')}]`;

/**
 * Without restarts, each application receives exactly what the other's `send()` accepted: once
 * each, in order, whatever the drops (on the server, less what it was told never reached a client).
 */
export function exactlyOnceInOrder({ world, clientAccepted, serverAccepted }: Outcome): void {
  if (world.serverReceived.join() !== clientAccepted.join()) {
    fail('exactlyOnceInOrder', `the server received ${show(world.serverReceived)}, the client sent ${show(clientAccepted)}`);
  }
  // A session whose `session` frame the link lost never reached the client, which starts another: what the
  // server sent in it is reported to the server's application when it expires, and is not expected.
  const reported = new Set(world.serverUndelivered.map(({ data }) => data));
  const expected = serverAccepted.filter((message) => !reported.has(message));
  if (world.clientReceived.join() !== expected.join()) {
    fail('exactlyOnceInOrder', `the client received ${show(world.clientReceived)}, the server sent ${show(expected)}`);
  }
  const orphans = world.serverSessions.filter((session) => session.id !== world.client.sessionId && session.epoch > 1);
  if (orphans.length > 0) fail('exactlyOnceInOrder', `a session the client resumed was left behind: ${orphans.map((s) => s.id).join()}`);
  const reports = world.clientUndelivered.filter(({ reason }) => reason !== 'buffer-full');
  if (reports.length > 0 || world.clientLost.length > 0)
    fail('exactlyOnceInOrder', `a session that survived reported ${world.clientEvents.join(', ')}`);
}

/**
 * With restarts, no client message is lost without a report: each is received by a server
 * application or reported (in `lost`, or `undelivered`); none is received twice; what arrives
 * arrives in send order; and the client receives no server message twice.
 */
export function nothingSilent({ world, clientAccepted }: Outcome): void {
  const received = new Set(world.serverReceived);
  if (received.size !== world.serverReceived.length)
    fail('nothingSilent', `the server received a message twice: ${show(world.serverReceived)}`);
  const reported = new Set([...world.clientLost.flatMap(({ messages }) => messages), ...world.clientUndelivered.map(({ data }) => data)]);
  const silent = clientAccepted.filter((message) => !received.has(message) && !reported.has(message));
  if (silent.length > 0) fail('nothingSilent', `${show(silent)} neither arrived nor was reported (${world.clientEvents.join(', ')})`);
  const order = world.serverReceived.map((message) => clientAccepted.indexOf(message));
  if (order.some((index, i) => i > 0 && index < order[i - 1]!)) fail('nothingSilent', `out of order: ${show(world.serverReceived)}`);
  if (new Set(world.clientReceived).size !== world.clientReceived.length) {
    fail('nothingSilent', `the client received a message twice: ${show(world.clientReceived)}`);
  }
}

/** Neither side ever holds more unacknowledged messages than its bound. */
export function withinBounds({ mostHeld }: Outcome): void {
  if (mostHeld.client > LIMIT || mostHeld.server > LIMIT) fail('withinBounds', `held ${JSON.stringify(mostHeld)}, bound ${LIMIT}`);
}

export const invariants = { exactlyOnceInOrder, nothingSilent, withinBounds };

/** The property that `invariant` holds over random runs (with restarts when asked). */
export function holds(invariant: (outcome: Outcome) => void, restarts: boolean) {
  return fc.asyncProperty(runs(restarts), async (actions) => invariant(await play(actions)));
}
