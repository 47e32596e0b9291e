/**
 * `send()` performs the machine's own `user.send` transition for the current state, read from
 * the machine's definition, without stepping the machine (`src/send-plan.ts`): these tests pin
 * that what the shell does is what the definition says, and that a definition the shell could
 * not perform faithfully is refused when it is compiled.
 */
import { describe, expect, it } from 'vitest';
import { assign, createMachine, type InspectionEvent } from 'xstate';
import { connectionMachine } from '../../machines/connection.machine.js';
import type { ConnectionContext } from '../../machines/connection.types.js';
import { compileSendPlans, performSend, type SendPlan } from '../../src/send-plan.js';
import { createConnection, type ConnectionOptions } from '../../src/index.js';
import { createMemoryTransport, SimulatedClock } from '../../src/testing/index.js';
import { effects } from '../../src/effects.js';
import { thrown } from '../support/thrown.js';

const EFFECTS = new Set(Object.keys(effects));
const context = { maxQueuedMessages: 2, maxQueuedBytes: 10, maxBufferedBytes: 600 } as ConnectionContext;
const sendOf = (bytes: number, queuedMessages = 0, queuedBytes = 0, bufferedBytes = 0) =>
  ({ type: 'user.send', bytes, queuedMessages, queuedBytes, bufferedBytes }) as const;

/** What a plan does for a send: the effects it performs, with their params, and whether it accepts the message. */
function outcome(plan: SendPlan, event: ReturnType<typeof sendOf>) {
  const performed: string[] = [];
  const accepted = performSend(plan, { context, event }, performed, undefined, (list, type, params) =>
    list.push(params === undefined ? type : `${type} ${JSON.stringify(params)}`),
  );
  return { accepted, performed };
}

describe('the send plans compiled from the connection machine', () => {
  // Compiled inside each test, never while the file is collected, so that mutation testing sees
  // which tests run the compiler.
  const compiled = () => compileSendPlans(connectionMachine, EFFECTS);
  const plan = (state: string): SendPlan => compiled().get(state)!;

  it('has a plan for every leaf state', () => {
    expect([...compiled().keys()].sort()).toEqual(
      [
        'attemptEnded',
        'closed',
        'closing.aborting',
        'closing.draining',
        'closing.handshake',
        'connecting',
        'gaveUp',
        'open',
        'reconnecting',
      ].sort(),
    );
  });

  it('queues what fits while connecting or waiting to reconnect, and reports the rest queue-full', () => {
    for (const state of ['connecting', 'reconnecting']) {
      expect(outcome(plan(state), sendOf(4, 1, 6))).toEqual({ accepted: true, performed: ['enqueueMessage'] });
      expect(outcome(plan(state), sendOf(5, 1, 6))).toEqual({
        accepted: false,
        performed: ['rejectMessage {"reason":"queue-full"}'],
      });
      expect(outcome(plan(state), sendOf(1, 2, 2))).toEqual({
        accepted: false,
        performed: ['rejectMessage {"reason":"queue-full"}'],
      });
    }
  });

  it('writes while open, and reports closing or closed once close() was called or the connection ended', () => {
    expect(outcome(plan('open'), sendOf(100, 5, 500))).toEqual({ accepted: true, performed: ['writeMessage'] });
    for (const state of ['closing.draining', 'closing.handshake', 'closing.aborting']) {
      expect(outcome(plan(state), sendOf(1))).toEqual({ accepted: false, performed: ['rejectMessage {"reason":"closing"}'] });
    }
    for (const state of ['closed', 'gaveUp']) {
      expect(outcome(plan(state), sendOf(1))).toEqual({ accepted: false, performed: ['rejectMessage {"reason":"closed"}'] });
    }
  });

  it('writes while open what the socket has room for under maxBufferedBytes, and reports the rest buffer-full', () => {
    expect(outcome(plan('open'), sendOf(100, 0, 0, 500))).toEqual({ accepted: true, performed: ['writeMessage'] });
    expect(outcome(plan('open'), sendOf(101, 0, 0, 500))).toEqual({
      accepted: false,
      performed: ['rejectMessage {"reason":"buffer-full"}'],
    });
    // Only what the socket holds counts: the queue is flushed on open.
    expect(outcome(plan('open'), sendOf(600, 2, 10, 0))).toEqual({ accepted: true, performed: ['writeMessage'] });
  });

  it('follows the machine: another queue bound, provided to it, is the bound send() keeps', () => {
    const strict = compileSendPlans(connectionMachine.provide({ guards: { queueHasRoom: () => false } }), EFFECTS);
    expect(outcome(strict.get('connecting')!, sendOf(1))).toEqual({
      accepted: false,
      performed: ['rejectMessage {"reason":"queue-full"}'],
    });
  });
});

describe('definitions the shell refuses to perform', () => {
  /** The production machine with `connecting`'s user.send transitions replaced. */
  function withConnectingSend(on: unknown) {
    const { config } = connectionMachine;
    const connecting = config.states!.connecting!;
    return createMachine(
      { ...config, states: { ...config.states, connecting: { ...connecting, on: { ...connecting.on, 'user.send': on } } } } as never,
      connectionMachine.implementations as never,
    );
  }

  it('refuses a send transition with a target: it would change the state without a step', () => {
    expect(() => compileSendPlans(withConnectingSend({ target: 'open' }), EFFECTS)).toThrow(/connecting has a target/);
  });

  it('refuses a send transition that assigns: it would change the context without a step', () => {
    expect(() => compileSendPlans(withConnectingSend({ actions: assign({ retries: 0 }) }), EFFECTS)).toThrow(
      /not an effect the shell implements/,
    );
  });

  it('refuses a state whose sends could all be refused by guards: a message would be neither sent nor reported', () => {
    expect(() => compileSendPlans(withConnectingSend({ guard: 'queueHasRoom', actions: 'enqueueMessage' }), EFFECTS)).toThrow(
      /leaves some user.send unanswered/,
    );
  });

  it('refuses a state with no send transition at all, naming it', () => {
    expect(thrown(() => compileSendPlans(withConnectingSend([]), EFFECTS))).toBe(
      'Error: The state connection.connecting leaves some user.send unanswered: its last candidate must have no guard',
    );
  });

  it('names the action it cannot perform, and the guard it cannot evaluate', () => {
    const where = 'the user.send transition of connection.connecting';
    expect(thrown(() => compileSendPlans(withConnectingSend({ actions: 'launchRocket' }), EFFECTS))).toBe(
      `Error: ${where} performs launchRocket, which is not an effect the shell implements`,
    );
    expect(thrown(() => compileSendPlans(withConnectingSend({ actions: assign({ retries: 0 }) }), EFFECTS))).toBe(
      `Error: ${where} performs xstate.assign, which is not an effect the shell implements`,
    );
    const unknownGuard = withConnectingSend([{ guard: 'isFull', actions: 'enqueueMessage' }, { actions: 'enqueueMessage' }]);
    expect(thrown(() => compileSendPlans(unknownGuard, EFFECTS))).toBe(
      `Error: ${where} has a guard the shell cannot evaluate (a named guard of the machine is required)`,
    );
  });

  it('takes an empty target for no target', () => {
    const plans = compileSendPlans(withConnectingSend({ target: [], actions: 'enqueueMessage' }), EFFECTS);
    expect(plans.get('connecting')!.map(({ accepts }) => accepts)).toEqual([true]);
  });

  it('evaluates params given as functions, for guards and effects, from the send', () => {
    const machine = withConnectingSend([
      {
        guard: { type: 'queueHasRoom', params: ({ event }: { event: { bytes: number } }) => ({ atMost: event.bytes }) },
        actions: 'enqueueMessage',
      },
      { actions: { type: 'rejectMessage', params: ({ event }: { event: { bytes: number } }) => ({ reason: `too big: ${event.bytes}` }) } },
    ]).provide({ guards: { queueHasRoom: (_: unknown, params: { atMost: number }) => params.atMost <= 3 } as never });
    const plan = compileSendPlans(machine, EFFECTS).get('connecting')!;
    expect(outcome(plan, sendOf(3))).toEqual({ accepted: true, performed: ['enqueueMessage'] });
    expect(outcome(plan, sendOf(4))).toEqual({ accepted: false, performed: ['rejectMessage {"reason":"too big: 4"}'] });
  });

  it('counts a candidate that reports the message undelivered as refusing it, whatever else it does', () => {
    const machine = withConnectingSend({ actions: ['dropQueue', { type: 'rejectMessage', params: { reason: 'closed' } }] });
    expect(
      compileSendPlans(machine, EFFECTS)
        .get('connecting')!
        .map(({ accepts }) => accepts),
    ).toEqual([false]);
  });
});

describe('send() on a connection', () => {
  function setup(options: ConnectionOptions = {}) {
    const memory = createMemoryTransport();
    const seen: string[] = [];
    const inspect = (event: InspectionEvent) => {
      if (event.type === '@xstate.event') seen.push(event.event.type);
    };
    const connection = createConnection('ws://example.test/', {
      transport: memory.transport,
      clock: new SimulatedClock(),
      inspect,
      ...options,
    });
    return { memory, connection, seen };
  }

  it('queues a million messages before open without stepping the machine once', () => {
    const { connection, seen } = setup({ maxQueuedMessages: 1_000_000, maxQueuedBytes: 64_000_000 });
    const before = connection.actor.getSnapshot().context;
    for (let i = 0; i < 1_000_000; i++) connection.send('m');
    expect(seen.filter((type) => type === 'user.send')).toEqual([]);
    expect(connection.actor.getSnapshot().context).toBe(before);
    expect(connection.queuedMessages).toBe(1_000_000);
    expect(connection.bufferedAmount).toBe(1_000_000);
  });

  it('accepts what the queue bound admits and reports the rest, in the order sent', () => {
    const { connection } = setup({ maxQueuedMessages: 3, maxQueuedBytes: 10 });
    const undelivered: string[] = [];
    connection.on('undelivered', ({ data, reason }) => undelivered.push(`${data as string} ${reason}`));
    // 4 + 4 + 2 = 10 bytes fill the byte bound; 'x' is past it, and 'y' past the count bound too.
    expect(['1234', '5678', '90', 'x', 'y'].map((message) => connection.send(message))).toEqual([true, true, true, false, false]);
    expect(undelivered).toEqual(['x queue-full', 'y queue-full']);
  });

  it('accepts while open what maxBufferedBytes admits beside what the socket holds, and reports the rest buffer-full', () => {
    const { memory, connection } = setup({ maxBufferedBytes: 10 });
    const undelivered: string[] = [];
    connection.on('undelivered', ({ data, reason }) => undelivered.push(`${data as string} ${reason}`));
    memory.socket.accept();
    expect(['1234', '5678', '901', '90'].map((message) => connection.send(message))).toEqual([true, true, false, true]);
    expect(undelivered).toEqual(['901 buffer-full']);
    expect(connection.bufferedAmount).toBe(10);
    memory.socket.flush(4); // the socket writes '1234' out: room again
    expect(connection.send('abcd')).toBe(true);
    memory.socket.flush();
    expect(memory.socket.written.map(({ data }) => data)).toEqual(['1234', '5678', '90', 'abcd']);
  });

  it('writes what was queued first, in order, then what is sent once open', () => {
    const { memory, connection } = setup();
    connection.send('a');
    connection.send('b');
    memory.socket.accept();
    connection.send('c');
    memory.socket.flush();
    expect(memory.socket.written.map(({ data }) => data)).toEqual(['a', 'b', 'c']);
  });
});
