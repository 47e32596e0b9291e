/**
 * A session's `send()` performs the session machine's own `user.send` transition for the leaf
 * state, compiled from the definition (`src/reliable/runner.ts`) rather than stepped: these
 * tests pin what each state's plan is, written out from `machines/session.machine.ts`, and that a
 * definition the shell could not perform that way is refused.
 */
import { describe, expect, it } from 'vitest';
import { assign, createMachine } from 'xstate';
import { sessionMachine, type SessionMachine } from '../../machines/session.machine.js';
import type { SessionContext } from '../../machines/session.types.js';
import { effects } from '../../src/reliable/effects.js';
import { compileSendPlans, leafOf, type SendCandidate, type SessionSnapshot } from '../../src/reliable/runner.js';

const EFFECTS = new Set(Object.keys(effects));

/** A candidate as text: `guard? effect {params}, ...`. */
function describeCandidate({ guard, effects: list }: SendCandidate): string {
  const performed = list.map(({ type, params }) => (params === undefined ? type : `${type} ${JSON.stringify(params)}`)).join(', ');
  return guard === undefined ? performed : `${guard.name}? ${performed}`;
}

describe('the send plans compiled from the session machine', () => {
  // Compiled inside each test, never while the file is collected, so that mutation testing sees
  // which tests run the compiler.
  const compiled = () => compileSendPlans(sessionMachine, EFFECTS);
  const HOLD = ['bufferHasRoom? holdMessage', 'rejectMessage {"reason":"buffer-full"}'];

  it('holds what fits until a session carries it, writes it while live, passes it on in the fallback, and refuses it once closing', () => {
    expect(Object.fromEntries([...compiled()].map(([leaf, plan]) => [leaf, plan.map(describeCandidate)]))).toEqual({
      'negotiating.connecting': HOLD,
      'negotiating.awaitingHello': HOLD,
      'negotiating.awaitingSession': HOLD,
      live: ['bufferHasRoom? writeMessage', 'rejectMessage {"reason":"buffer-full"}'],
      'resuming.connecting': HOLD,
      'resuming.awaitingHello': HOLD,
      'resuming.awaitingSession': HOLD,
      lost: HOLD,
      plain: ['passMessage'],
      closing: ['rejectMessage {"reason":"closing"}'],
      closed: ['rejectMessage {"reason":"closed"}'],
    });
  });

  it('guards with the machine’s own bufferHasRoom, in messages and in bytes', () => {
    const room = compiled().get('live')![0]!.guard!;
    const context = { maxUnackedMessages: 2, maxUnackedBytes: 10 } as SessionContext;
    const send = (bytes: number, unackedMessages: number, unackedBytes: number) =>
      room({ context, event: { type: 'user.send', bytes, unackedMessages, unackedBytes } });
    expect([send(4, 1, 6), send(5, 1, 6), send(1, 2, 0)]).toEqual([true, false, false]);
  });
});

describe('a definition the shell cannot perform without stepping is refused', () => {
  /** A one-state machine whose `user.send` is `on`, with the session machine's guard. */
  function withSend(on: unknown): SessionMachine {
    return createMachine({ id: 'test', initial: 'only', states: { only: { on: { 'user.send': on } } } } as never, {
      guards: { bufferHasRoom: () => true },
    }) as unknown as SessionMachine;
  }

  it.each([
    ['a target', { target: 'only' }, 'the user.send transition of test.only has a target'],
    ['an assign', { actions: assign({}) }, 'the user.send transition of test.only performs xstate.assign, which is not an effect'],
    [
      'an action that is not an effect',
      { actions: 'shout' },
      'the user.send transition of test.only performs shout, which is not an effect',
    ],
    [
      'a guard that is not named',
      [{ guard: () => true, actions: 'holdMessage' }, { actions: 'passMessage' }],
      'the user.send transition of test.only has a guard the shell cannot evaluate (a named guard is required)',
    ],
    [
      'a named guard the machine does not implement',
      [{ guard: 'somewhere', actions: 'holdMessage' }, { actions: 'passMessage' }],
      'the user.send transition of test.only has a guard the shell cannot evaluate (a named guard is required)',
    ],
    [
      'only guarded candidates',
      { guard: 'bufferHasRoom', actions: 'holdMessage' },
      'The state test.only leaves some user.send unanswered: its last candidate must have no guard',
    ],
  ])('%s', (_, on, message) => {
    expect(() => compileSendPlans(withSend(on), EFFECTS)).toThrow(new Error(message));
  });

  it('a state with no send transition at all', () => {
    const silent = createMachine({ id: 'test', initial: 'only', states: { only: {} } }) as unknown as SessionMachine;
    expect(() => compileSendPlans(silent, EFFECTS)).toThrow(
      new Error('The state test.only leaves some user.send unanswered: its last candidate must have no guard'),
    );
  });

  it('takes an ancestor’s transition after the state’s own, as XState would', () => {
    const nested = createMachine(
      {
        id: 'test',
        initial: 'outer',
        states: {
          outer: {
            initial: 'inner',
            on: { 'user.send': { actions: 'passMessage' } },
            states: { inner: { on: { 'user.send': { guard: 'bufferHasRoom', actions: ['holdMessage', 'writeMessage'] } } } },
          },
        },
      },
      { guards: { bufferHasRoom: () => true } },
    ) as unknown as SessionMachine;
    const plans = compileSendPlans(nested, EFFECTS);
    expect([...plans.keys()]).toEqual(['outer.inner']);
    expect(plans.get('outer.inner')!.map(describeCandidate)).toEqual(['bufferHasRoom? holdMessage, writeMessage', 'passMessage']);
  });
});

describe('leafOf', () => {
  it('names the leaf state, dotted', () => {
    expect(leafOf({ value: 'closed' } as SessionSnapshot)).toBe('closed');
    expect(leafOf({ value: { resuming: 'awaitingHello' } } as unknown as SessionSnapshot)).toBe('resuming.awaitingHello');
    expect(leafOf({ value: { a: { b: 'c' } } } as unknown as SessionSnapshot)).toBe('a.b.c');
  });
});
