/**
 * A reliable session's lifecycle as a pure XState v5 statechart: how a client learns that the
 * server speaks the session protocol, starts a session, resumes it after every reconnect,
 * learns that the server lost it, falls back to a plain connection, and ends it.
 *
 * Like `connection.machine.ts` it decides and performs nothing: effects are named
 * (`sendResume`, `beginSession`, `reportLost`...) and supplied by the shell (`src/reliable/`),
 * facts come back as events named `source.verb` (`connection.drop`, `server.hello`,
 * `timer.hello`), and it has no `invoke` or `after`, so the same definition runs, is drawn in
 * `diagrams/session.md` and is walked by `xstate/graph` in the tests. The per-message work
 * (sequence numbers, acknowledgements, replay, dropping duplicates) is the shell's: one step of
 * a machine costs more than a `ws` send, so only the lifecycle goes through it, and `send()`
 * performs the machine's own `user.send` transition for the state without stepping it.
 *
 * The protocol these states follow is `docs/protocol.md`:
 * - `negotiating`: no session yet. Once the socket opens, the server's first frame must be its
 *   hello (a plain `ws` server accepts any subprotocol offered, so the handshake proves nothing);
 *   then the client asks for a session (`start`) and waits for it.
 * - `live`: messages flow, numbered and acknowledged.
 * - `resuming`: the socket dropped; on the next one the client asks for the same session
 *   (`resume`), and each side replays what the other has not acknowledged.
 * - `lost`: the server closed the resumed socket saying it does not know the session (it
 *   restarted, or the session expired): every message the server never acknowledged was
 *   reported, and the next socket starts a new session, naming the lost one.
 * - `plain`: no hello came (or the server spoke first with something else): the client carries
 *   on with a plain connection's guarantees, and said so.
 * - `closing`: `close()` during a live session: the client said bye and waits for the server's.
 * - `closed`: over; what was never acknowledged has been reported.
 */
import { assign, setup } from 'xstate';
import type {
  FallbackReason,
  SessionContext,
  SessionEvent,
  SessionInput,
  SessionLossReason,
  SessionTimerName,
  SessionUndeliveredReason,
} from './session.types.js';

type EventOf<T extends SessionEvent['type']> = Extract<SessionEvent, { type: T }>;

type Args = { context: SessionContext; event: SessionEvent };

/** Placeholders the shell replaces; `Params` declares what the machine gives each effect. */
// Stryker disable next-line ArrowFunction: equivalent. No placeholder ever runs in the shell, which performs every effect itself (`src/reliable/engine.ts`); run on its own, the machine's actions with no implementation do nothing, as these do.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the type parameter is the declaration
const effect = <Params = undefined>(): ((args: unknown, params: Params) => void) => noEffect;

function noEffect(): void {}

/** The side effects the session machine asks for, by name, with their parameters (`src/reliable/effects.ts` implements them). */
// Stryker disable next-line ObjectLiteral: equivalent, as for `effect` above: without the placeholders the machine asks for the same effects with the same params, and the shell performs them.
const effects = {
  /** Ask the server for a new session (naming the lost one, if any). */
  sendStart: effect(),
  /** Ask the server to resume the session, saying which of its messages arrived. */
  sendResume: effect(),
  /** Tell the server the session ends, acknowledging what arrived. */
  sendBye: effect(),
  /**
   * The server granted the session of the `server.session` event: drop what it acknowledged,
   * write everything else held, oldest first, and announce it.
   */
  beginSession: effect(),
  startTimer: effect<{ timer: SessionTimerName }>(),
  cancelTimer: effect<{ timer: SessionTimerName }>(),
  /** Number the message of a `user.send` and hold it until a session can carry it. */
  holdMessage: effect(),
  /** Number the message of a `user.send`, hold it until acknowledged, and write it. */
  writeMessage: effect(),
  /** Hand the message of a `user.send` to the connection as it is (plain fallback). */
  passMessage: effect(),
  rejectMessage: effect<{ reason: SessionUndeliveredReason }>(),
  /** Say the client carries on without a session, and hand every held message to the connection, oldest first. */
  fallBack: effect<{ reason: FallbackReason }>(),
  /** Report the session lost, with every message the server never acknowledged, and forget them. */
  reportLost: effect<{ reason: SessionLossReason }>(),
  /** Report every held message undelivered (`unacknowledged` if it was written, `unsent` if not), oldest first. */
  reportUnsettled: effect(),
  /** Close the connection for good (a no-op if it is over already). */
  closeConnection: effect<{ code: number | undefined; reason: string | undefined }>(),
  /** The session is over: stop its timers and settle what `closed` and `ready` promised. */
  settle: effect(),
};

/** The session machine's effects: their names, and the parameters each receives. */
export type SessionEffects = { readonly [K in keyof typeof effects]: Parameters<(typeof effects)[K]>[1] };

/** Whether one more message of `bytes` bytes fits the buffer; the machine's guard and the shell's `ready` share it. */
export function bufferHasRoom(
  limits: Pick<SessionContext, 'maxUnackedMessages' | 'maxUnackedBytes'>,
  fill: { readonly unackedMessages: number; readonly unackedBytes: number },
  bytes: number,
): boolean {
  return fill.unackedMessages + 1 <= limits.maxUnackedMessages && fill.unackedBytes + bytes <= limits.maxUnackedBytes;
}

const reject = (reason: SessionUndeliveredReason) => ({ actions: [{ type: 'rejectMessage', params: { reason } }] }) as const;

/** Before a session can carry it: number it and hold it, while it fits. */
const holdOrReject = [{ guard: 'bufferHasRoom', actions: 'holdMessage' }, reject('buffer-full')] as const;

/** The end of the session, after what was unsettled is reported: the connection is closed with `params`. */
const end = (params: (args: Args) => { code: number | undefined; reason: string | undefined }) =>
  ['reportUnsettled', { type: 'closeConnection', params }] as const;

const asGiven = ({ event }: Args) => {
  const { code, reason } = event as EventOf<'user.close'>;
  return { code, reason };
};
/** The close `close()` asked for: recorded on the way into `closing`, the only state that ends with it. */
const asRequested = ({ context }: Args) => context.closeRequest!;
// Stryker disable next-line ObjectLiteral: equivalent. The close reads `code` and `reason`, undefined in `{}` as here.
const nothing = () => ({ code: undefined, reason: undefined });
const normalClosure = () => ({ code: 1000, reason: undefined });

/**
 * What every state with a session to lose does when the protocol breaks: the server refused
 * the client's frames (it closed with a protocol code), or the client caught the server
 * breaking it (and closes with the code the event names). Either way nothing is retried.
 */
const brokenProtocol = {
  'server.refuse': { target: '#session.closed', actions: end(nothing) },
  'server.violation': {
    target: '#session.closed',
    actions: end(({ event }) => {
      const { code, reason } = event as EventOf<'server.violation'>;
      return { code, reason };
    }),
  },
} as const;

/** Waiting for the server's hello on a fresh socket, then for its answer to `start` or `resume`. */
function handshake(ask: 'sendStart' | 'sendResume') {
  // A server that answered a resume with something other than a hello no longer speaks
  // sessions: what it never acknowledged cannot be resumed, and is reported as a loss would be.
  const fallBack = (reason: FallbackReason) =>
    ask === 'sendResume'
      ? (['forgetSession', { type: 'reportLost', params: { reason: 'no-hello' } }, { type: 'fallBack', params: { reason } }] as const)
      : ([{ type: 'fallBack', params: { reason } }] as const);
  return {
    initial: 'connecting',
    states: {
      connecting: { on: { 'connection.open': { target: 'awaitingHello' } } },
      awaitingHello: {
        entry: [{ type: 'startTimer', params: { timer: 'hello' } }],
        exit: [{ type: 'cancelTimer', params: { timer: 'hello' } }],
        on: {
          'server.hello': { target: 'awaitingSession', actions: ask },
          'timer.hello': { target: '#session.plain', actions: fallBack('no-hello') },
          'server.plain': { target: '#session.plain', actions: fallBack('not-a-hello') },
        },
      },
      // No timer: the hello proved the server speaks sessions, and the connection's heartbeat
      // finds a socket that died meanwhile.
      awaitingSession: {
        on: { 'server.session': { target: '#session.live', actions: ['recordSession', 'beginSession'] } },
      },
    },
  } as const;
}

export const sessionMachine = setup({
  // Stryker disable next-line ObjectLiteral: equivalent. `types` exists for TypeScript only: XState never reads it at run time.
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    input: {} as SessionInput,
  },
  actions: {
    ...effects,
    recordSession: assign(({ event }) => ({ sessionId: (event as EventOf<'server.session'>).id, lostId: undefined })),
    forgetSession: assign(({ context }) => ({ lostId: context.sessionId, sessionId: undefined })),
    recordCloseRequest: assign((args) => ({ closeRequest: asGiven(args) })),
  },
  guards: {
    bufferHasRoom: ({ context, event }) => {
      const send = event as EventOf<'user.send'>;
      return bufferHasRoom(context, send, send.bytes);
    },
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => ({
    maxUnackedMessages: input.maxUnackedMessages,
    maxUnackedBytes: input.maxUnackedBytes,
    sessionId: undefined,
    lostId: undefined,
    closeRequest: undefined,
  }),
  initial: 'negotiating',
  states: {
    // No session yet: the first one, or the next after the server lost one.
    negotiating: {
      ...handshake('sendStart'),
      on: {
        'user.send': holdOrReject,
        'user.close': { target: 'closed', actions: end(asGiven) },
        'connection.drop': { target: '.connecting' },
        'connection.end': { target: 'closed', actions: 'reportUnsettled' },
        ...brokenProtocol,
      },
    },

    live: {
      on: {
        // The shell's per-message path: numbered, held until acknowledged, written.
        'user.send': [{ guard: 'bufferHasRoom', actions: 'writeMessage' }, reject('buffer-full')],
        'user.close': { target: 'closing', actions: 'recordCloseRequest' },
        'connection.drop': { target: 'resuming' },
        'connection.end': { target: 'closed', actions: 'reportUnsettled' },
        // The server ended the session: its bye acknowledged what it accepted, and it takes no more.
        'server.bye': { target: 'closed', actions: ['sendBye', ...end(normalClosure)] },
        'server.lost': { target: 'lost', actions: lose() },
        ...brokenProtocol,
      },
    },

    resuming: {
      ...handshake('sendResume'),
      on: {
        'user.send': holdOrReject,
        'user.close': { target: 'closed', actions: end(asGiven) },
        'connection.drop': { target: '.connecting' },
        'connection.end': { target: 'closed', actions: 'reportUnsettled' },
        'server.lost': { target: 'lost', actions: lose() },
        ...brokenProtocol,
      },
    },

    // The server no longer knows the session: reported, with every message it never
    // acknowledged; the next socket starts a new one.
    lost: {
      on: {
        'user.send': holdOrReject,
        'user.close': { target: 'closed', actions: end(asGiven) },
        'connection.open': { target: 'negotiating.awaitingHello' },
        'connection.end': { target: 'closed', actions: 'reportUnsettled' },
      },
    },

    // A plain connection from here on: the connection's own guarantees, and its reports.
    plain: {
      on: {
        'user.send': { actions: 'passMessage' },
        'user.close': { target: 'closed', actions: [{ type: 'closeConnection', params: asGiven }] },
        'connection.end': { target: 'closed' },
      },
    },

    // close() during a live session: the client's bye is out, and the server's answer acknowledges the rest.
    closing: {
      entry: ['sendBye', { type: 'startTimer', params: { timer: 'close' } }],
      exit: [{ type: 'cancelTimer', params: { timer: 'close' } }],
      on: {
        'user.send': reject('closing'),
        'server.bye': { target: 'closed', actions: end(asRequested) },
        'timer.close': { target: 'closed', actions: end(asRequested) },
        // A closing session is not resumed: what the server did not acknowledge is reported now.
        'connection.drop': { target: 'closed', actions: end(asRequested) },
        'connection.end': { target: 'closed', actions: 'reportUnsettled' },
        ...brokenProtocol,
      },
    },

    closed: {
      entry: 'settle',
      on: {
        'user.send': reject('closed'),
      },
    },
  },
});

/** The server closed the resumed socket: it does not know the session. */
function lose() {
  return [
    'forgetSession',
    { type: 'reportLost', params: ({ event }: Args) => ({ reason: (event as EventOf<'server.lost'>).reason }) },
  ] as const;
}

export type SessionMachine = typeof sessionMachine;
