/**
 * Paths generated from the production session machine (`xstate/graph`), run against the real
 * thing: for every transition the machine has from a state a real session can rest in, the
 * shortest path there and that transition, each event played by the in-memory world
 * (`test/reliable/world.ts`) as the network, the server or the application would cause it. After
 * every step, the real session is in the leaf state the path says the machine is in.
 *
 * The alphabet is what each state can really meet (a frame needs a socket; a timer is only
 * offered where it runs); `user.send` with the buffer full comes only last, as it changes
 * nothing the next step could use. Every transition of the machine is taken by some path, which
 * the last test checks against the definition.
 */
import { type AnyStateNode } from 'xstate';
import { adjacencyMapToArray, getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import { sessionMachine } from '../../machines/session.machine.js';
import type { SessionEvent } from '../../machines/session.types.js';
import { CLOSE_CODES } from '../../src/reliable/index.js';
import { leafState } from '../../src/reliable/internals.js';
import { leafOf, type SessionSnapshot } from '../../src/reliable/runner.js';
import { microtasks, SessionWorld } from '../reliable/world.js';

const INPUT = { maxUnackedMessages: 4, maxUnackedBytes: 1_000_000 };
const HELLO_TIMEOUT = 1_000;
const BYE_TIMEOUT = 1_000;

const room: SessionEvent = { type: 'user.send', bytes: 1, unackedMessages: 0, unackedBytes: 0 };
const full: SessionEvent = { type: 'user.send', bytes: 1, unackedMessages: INPUT.maxUnackedMessages, unackedBytes: 0 };
const lost: SessionEvent = { type: 'server.lost', reason: 'unknown-session' };
const refuse: SessionEvent = { type: 'server.refuse', code: CLOSE_CODES['protocol-error'], reason: 'protocol-error' };
const violation: SessionEvent = { type: 'server.violation', code: CLOSE_CODES['protocol-error'], reason: 'protocol-error' };
const session: SessionEvent = { type: 'server.session', id: 'any', resumed: false, seq: 0 };
const ev = (type: 'connection.open' | 'connection.drop' | 'connection.end' | 'server.hello' | 'server.plain' | 'server.bye') =>
  ({ type }) as SessionEvent;
const timer = (name: 'hello' | 'close') => ({ type: `timer.${name}` }) as SessionEvent;
const close: SessionEvent = { type: 'user.close' };

/** What a real session in `leaf` can meet. */
function alphabet(leaf: string): SessionEvent[] {
  const app = [room, full, close];
  const socketEnds = [ev('connection.drop'), ev('connection.end')];
  const top = leaf.split('.')[0];
  if (leaf.endsWith('.connecting')) return [...app, ev('connection.open'), ...socketEnds];
  // A close that says the session is lost is a drop where there is no session to lose.
  const lose = top === 'resuming' ? [lost] : [];
  if (leaf.endsWith('.awaitingHello')) {
    return [...app, ev('server.hello'), ev('server.plain'), timer('hello'), ...socketEnds, ...lose, refuse, violation];
  }
  if (leaf.endsWith('.awaitingSession')) return [...app, session, ...socketEnds, ...lose, refuse, violation];
  switch (top) {
    case 'live':
      return [...app, ...socketEnds, ev('server.bye'), lost, refuse, violation];
    case 'lost':
      return [...app, ev('connection.open'), ev('connection.end')];
    case 'plain':
      return [room, close, ev('connection.end')];
    case 'closing':
      return [room, ev('server.bye'), timer('close'), ...socketEnds, refuse, violation];
    default:
      return [room];
  }
}

const options = {
  input: INPUT,
  events: (snapshot: SessionSnapshot) => alphabet(leafOf(snapshot)),
  serializeState: (snapshot: SessionSnapshot) => leafOf(snapshot),
};

/** Every path: the shortest one to each state, then each event of its alphabet. */
function generatedPaths(): { events: SessionEvent[]; leaves: string[] }[] {
  const shortest = new Map(getShortestPaths(sessionMachine, options).map((path) => [leafOf(path.state), path]));
  const adjacency = getAdjacencyMap(sessionMachine, options);
  return adjacencyMapToArray(adjacency).map(({ state, event, nextState }) => {
    const prefix = shortest.get(leafOf(state))!.steps.slice(1);
    return {
      events: [...prefix.map((step) => step.event), event],
      leaves: [...prefix.map((step) => leafOf(step.state)), leafOf(nextState)],
    };
  });
}

/** Waits for a socket to be connecting (the reconnect timer may have to fire first). */
function nextSocket(world: SessionWorld) {
  for (let i = 0; i < 10 && world.memory.sockets.at(-1)?.phase !== 'connecting'; i++) world.tick();
  const socket = world.memory.sockets.at(-1)!;
  if (socket.phase !== 'connecting') throw new Error('no socket came');
  return socket;
}

/** The server closes the socket with `code`: what it had queued first, then the close. */
function serverCloses(world: SessionWorld, code: number, reason: string): void {
  world.pipe!.toClient.push({ kind: 'close', code, reason });
  while (world.toClient());
}

/** Plays `event` in `world`, in the state `leaf` the machine is in before it. */
function play(world: SessionWorld, event: SessionEvent, leaf: string): void {
  const { client } = world;
  switch (event.type) {
    case 'user.send':
      if (event.unackedMessages === 0) {
        // Refused once closing, whatever the room.
        const refused = leaf.startsWith('closing') || leaf === 'closed';
        expect(client.send('m'), `a send with room in ${leaf}`).toBe(!refused);
      } else {
        while (client.unackedMessages < INPUT.maxUnackedMessages) client.send('filler');
        expect(client.send('over'), 'a send with the buffer full').toBe(false);
      }
      return;
    case 'user.close':
      void client.close();
      return;
    case 'connection.open':
      nextSocket(world);
      world.accept();
      return;
    case 'connection.drop':
      if (world.pipe === undefined) nextSocket(world).refuse();
      else world.dropLink();
      return;
    case 'connection.end':
      if (world.pipe === undefined) nextSocket(world).refuse('handshake-failed', 'Unexpected server response: 403', 403);
      else serverCloses(world, 4001, 'go away'); // an application's code the default policy does not retry
      return;
    case 'server.hello':
      world.toClient();
      return;
    case 'server.plain':
      world.pipe!.toClient.splice(0, Infinity, { kind: 'frame', data: 'welcome' });
      world.toClient();
      return;
    case 'timer.hello':
      world.clock.advance(HELLO_TIMEOUT);
      return;
    case 'timer.close':
      world.clock.advance(BYE_TIMEOUT);
      return;
    case 'server.session':
      world.toServer(); // start or resume
      world.toClient(); // the session frame
      return;
    case 'server.bye':
      if (leaf === 'live') void world.serverSession!.close();
      while (world.toServer()); // in closing, the client's bye, which the server answers
      while (world.toClient());
      return;
    case 'server.lost':
      serverCloses(world, CLOSE_CODES['unknown-session'], 'unknown-session');
      return;
    case 'server.refuse':
      serverCloses(world, CLOSE_CODES['protocol-error'], 'protocol-error');
      return;
    case 'server.violation':
      // A hello of another version while waiting for one; a malformed control frame elsewhere.
      world.pipe!.toClient.push({
        kind: 'frame',
        data: leaf.endsWith('awaitingHello')
          ? '{"t":"hello","protocol":"statesock.session.v1","v":2,"maxMessages":1,"maxBytes":1}'
          : '{"t":"ack"}',
      });
      while (world.toClient());
      return;
  }
}

describe('generated paths through the session machine', () => {
  const paths = generatedPaths();

  it(`leave the real session in the state the machine names after every step, on each of the ${paths.length} paths`, async () => {
    const wrong: string[] = [];
    for (const path of paths) {
      const world = new SessionWorld({
        client: { ...INPUT, helloTimeout: HELLO_TIMEOUT, byeTimeout: BYE_TIMEOUT, ackDelay: 10_000 },
        server: { handshakeTimeout: 100_000, ackDelay: 10_000 },
      });
      let leaf = 'negotiating.connecting';
      const trace: string[] = [];
      for (let i = 0; i < path.events.length; i++) {
        const event = path.events[i]!;
        play(world, event, leaf);
        await microtasks();
        leaf = path.leaves[i]!;
        trace.push(`${event.type} → ${leaf}`);
        if (world.client[leafState]() !== leaf || world.client.state !== leaf.split('.')[0]) {
          wrong.push(`${trace.join(', ')}: the session is in ${world.client[leafState]()}`);
          break;
        }
      }
    }
    expect(wrong).toEqual([]);
  }, 60_000);

  it('take every transition of the machine', () => {
    const taken = new Set(paths.map((path) => `${path.leaves.at(-2) ?? 'negotiating.connecting'} ${path.events.at(-1)!.type}`));
    const stateNodes = (node: AnyStateNode): AnyStateNode[] => [node, ...Object.values(node.states).flatMap(stateNodes)];
    const leaves = stateNodes(sessionMachine.root).filter((node) => Object.keys(node.states).length === 0);
    const missing: string[] = [];
    for (const leaf of leaves) {
      const name = leaf.path.join('.');
      for (const node of [leaf, ...ancestors(leaf)]) {
        for (const type of node.transitions.keys()) {
          if (!taken.has(`${name} ${type}`) && !unreachable(name, type)) missing.push(`${name} ${type} (from ${node.id})`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});

function ancestors(node: AnyStateNode): AnyStateNode[] {
  return node.parent === undefined ? [] : [node.parent, ...ancestors(node.parent)];
}

/**
 * Transitions no real session can take: a frame or a protocol close on a socket that does not
 * exist yet, and a lost session before one was asked to resume... The machine defines them
 * on the parent state for brevity; what a real socket can cause is in `alphabet`.
 */
function unreachable(leaf: string, type: string): boolean {
  if (leaf.endsWith('.connecting')) return type.startsWith('server.');
  return false;
}
