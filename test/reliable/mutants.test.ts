/**
 * The reliable session's properties can fail: for each invariant, a deliberately broken variant
 * of one module (planted with `vi.doMock`, as `test/properties/mutants.ts` does for the
 * connection) makes the property that states it fail within its runs, for its own reason.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as EffectsModule from '../../src/reliable/effects.js';
import type * as LogModule from '../../src/reliable/outbound-log.js';
import type * as MachineModule from '../../machines/session.machine.js';

const LOG = '../../src/reliable/outbound-log.js';
const EFFECTS = '../../src/reliable/effects.js';
const MACHINE = '../../machines/session.machine.js';

interface PlantedBug {
  readonly name: string;
  readonly invariant: 'exactlyOnceInOrder' | 'nothingSilent' | 'withinBounds';
  readonly restarts: boolean;
  readonly says: RegExp;
  readonly plant: () => void;
}

const bugs: PlantedBug[] = [
  {
    name: "the client's resume claims one message more than it received",
    invariant: 'exactlyOnceInOrder',
    restarts: false,
    // Either what arrived is wrong, or the server refuses the resume (bad-ack) and the session
    // that should have survived ends: about 1 seed in 125 shows the bug that second way.
    says: /exactlyOnceInOrder: (the (client|server) received|a session that survived reported)/,
    plant: () =>
      vi.doMock(EFFECTS, async (importOriginal) => {
        const original = await importOriginal<typeof EffectsModule>();
        const sendResume: EffectsModule.Effects['sendResume'] = (engine, _params, { context }) => {
          engine.sendControl({
            t: 'resume',
            v: 1,
            id: context.sessionId!,
            seq: engine.receiver.received + 1,
            maxMessages: engine.options.maxUnackedMessages,
            maxBytes: engine.options.maxUnackedBytes,
          });
        };
        return { ...original, effects: { ...original.effects, sendResume } };
      }),
  },
  {
    name: 'the buffer, emptied at the end of a session, leaves out its oldest message',
    invariant: 'nothingSilent',
    restarts: true,
    says: /nothingSilent: \[[\w ]+\] neither arrived nor was reported/,
    plant: () =>
      vi.doMock(LOG, async (importOriginal) => {
        const original = await importOriginal<typeof LogModule>();
        class OutboundLog<Data> extends original.OutboundLog<Data> {
          override takeAll() {
            return super.takeAll().slice(1);
          }
        }
        return { ...original, OutboundLog };
      }),
  },
  {
    name: 'the lost event leaves out the newest message',
    invariant: 'nothingSilent',
    restarts: true,
    says: /nothingSilent: \[\w+\] neither arrived nor was reported/,
    plant: () =>
      vi.doMock(EFFECTS, async (importOriginal) => {
        const original = await importOriginal<typeof EffectsModule>();
        const reportLost: EffectsModule.Effects['reportLost'] = (engine, params, step, message) => {
          const drop = engine.sequencer.post.bind(engine.sequencer);
          const post: typeof engine.sequencer.post = (type, payload) => {
            const lost = payload as { messages?: unknown[] };
            drop(type, (type === 'lost' ? { ...lost, messages: lost.messages!.slice(0, -1) } : payload) as never);
          };
          engine.sequencer.post = post;
          try {
            return original.effects.reportLost(engine, params, step, message);
          } finally {
            engine.sequencer.post = drop;
          }
        };
        return { ...original, effects: { ...original.effects, reportLost } };
      }),
  },
  {
    name: 'the machine lets a send past the bound',
    invariant: 'withinBounds',
    restarts: true,
    says: /withinBounds: held/,
    plant: () =>
      vi.doMock(MACHINE, async (importOriginal) => {
        const original = await importOriginal<typeof MachineModule>();
        return { ...original, sessionMachine: original.sessionMachine.provide({ guards: { bufferHasRoom: () => true } }) };
      }),
  },
];

afterEach(() => {
  for (const path of [LOG, EFFECTS, MACHINE]) vi.doUnmock(path);
  vi.resetModules();
});

describe('the reliable session properties catch a broken session', () => {
  for (const bug of bugs) {
    it(`fails "${bug.invariant}" when ${bug.name}`, async () => {
      vi.resetModules();
      bug.plant();
      const { holds, invariants, RUNS } = await import('./properties.js');
      const result = await fc.check(holds(invariants[bug.invariant], bug.restarts), { numRuns: RUNS, endOnFailure: true });
      expect(result.failed, `${bug.invariant} held over ${result.numRuns} runs`).toBe(true);
      expect(String(result.errorInstance)).toMatch(bug.says);
    }, 120_000);
  }

  it('passes with every module replaced by itself (the planting breaks nothing)', async () => {
    vi.resetModules();
    for (const path of [LOG, EFFECTS, MACHINE]) vi.doMock(path, async (importOriginal) => ({ ...(await importOriginal<object>()) }));
    const { holds, invariants } = await import('./properties.js');
    const result = await fc.check(holds(invariants.exactlyOnceInOrder, false), { numRuns: 50 });
    expect(result.failed).toBe(false);
  }, 120_000);
});
