/**
 * What each of the session machine's effects does, typed from the machine's declaration of its
 * effects (`SessionEffects`): an effect added there, or a parameter changed, is a type error
 * here until it is implemented. Every effect runs inside a step; public events are posted and
 * delivered once the step is over.
 */
import type { SessionEffects } from '../../machines/session.machine.js';
import type { SessionContext, SessionEvent } from '../../machines/session.types.js';
import type { OutgoingData } from '../byte-length.js';
import type { SessionEngine } from './engine.js';
import { PROTOCOL_VERSION } from './protocol.js';

/** The step an effect runs in: the context as the step's assigns left it so far, and the event. */
export interface EffectStep {
  readonly context: SessionContext;
  readonly event: SessionEvent;
}

/**
 * One effect; `message` is the payload of the `send()` whose transition the shell performs. A
 * send effect may return `false` for a message it did not accept (the connection refused it).
 */
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- most effects return nothing; send effects may say `false`
export type Effect<Params> = (engine: SessionEngine, params: Params, step: EffectStep, message: OutgoingData | undefined) => boolean | void;

export type Effects = { readonly [K in keyof SessionEffects]: Effect<SessionEffects[K]> };

type EventOf<T extends SessionEvent['type']> = Extract<SessionEvent, { type: T }>;

export const effects: Effects = {
  sendStart(engine, _, { context }) {
    engine.sendControl({
      t: 'start',
      v: PROTOCOL_VERSION,
      maxMessages: engine.options.maxUnackedMessages,
      maxBytes: engine.options.maxUnackedBytes,
      ...(context.lostId === undefined ? {} : { lost: context.lostId }),
    });
  },
  sendResume(engine, _, { context }) {
    engine.sendControl({
      t: 'resume',
      v: PROTOCOL_VERSION,
      id: context.sessionId!,
      seq: engine.receiver.received,
      maxMessages: engine.options.maxUnackedMessages,
      maxBytes: engine.options.maxUnackedBytes,
    });
  },
  sendBye(engine) {
    engine.sendControl({ t: 'bye', seq: engine.receiver.received });
    engine.receiver.acknowledged();
  },
  beginSession(engine, _, { event }) {
    const { id, resumed, seq } = event as EventOf<'server.session'>;
    if (!resumed) engine.receiver.reset();
    engine.sequencer.post('session', { id, resumed });
    engine.replayFrom(seq);
  },
  startTimer(engine, { timer }) {
    engine.startTimer(timer);
  },
  cancelTimer(engine, { timer }) {
    engine.timers.cancel(timer);
  },

  holdMessage(engine, _, { event }, message) {
    engine.hold(message!, (event as EventOf<'user.send'>).bytes);
  },
  writeMessage(engine, _, { event }, message) {
    engine.hold(message!, (event as EventOf<'user.send'>).bytes);
    engine.writeHeld();
  },
  passMessage(engine, _, __, message) {
    return engine.connection.send(message!);
  },
  rejectMessage(engine, { reason }, _, message) {
    engine.sequencer.post('undelivered', { data: message!, reason });
    return false;
  },

  fallBack(engine, { reason }) {
    engine.sequencer.post('fallback', { reason });
    // Held in send order: the connection carries them now, with its own reports.
    for (const { data } of engine.takeHeld()) engine.connection.send(data);
  },
  reportLost(engine, { reason }, { context }) {
    const messages = engine.takeHeld().map(({ data }) => data);
    engine.sequencer.post('lost', { reason, sessionId: context.lostId!, messages });
  },
  reportUnsettled(engine) {
    for (const { data, written } of engine.takeHeld()) {
      engine.sequencer.post('undelivered', { data, reason: written ? 'unacknowledged' : 'unsent' });
    }
  },
  closeConnection(engine, { code, reason }) {
    void engine.connection.close(code, reason);
  },
  settle(engine) {
    engine.settle();
  },
};
