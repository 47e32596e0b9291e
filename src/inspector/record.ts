/**
 * What the inspector keeps about one connection: a bounded log of what it reported, and, while an
 * element shows it, the machine's own events and transitions.
 *
 * The lifecycle events (`state`, `open`, `error`, `close`, `reconnecting`, `giveup`,
 * `undelivered`) are logged from the moment the record exists, so an element added later still
 * shows how the connection got where it is. Inbound messages are not listened to: they are the hot
 * path, and an inspector must not slow it down. No payload is ever shown, only its kind and size,
 * as the machine and XState inspectors never see payloads either.
 *
 * The machine's events need its XState actor, which a connection creates only when asked (about
 * 4 KB): the record asks for it when the first element starts showing the connection, and stops
 * listening to it when the last one stops.
 */
import type { InspectionEvent, Subscription } from 'xstate';
import type { Connection } from '../connection.js';
import type { ConnectionEventMap, ConnectionStateName } from '../connection-events.js';
import { clock } from '../connection-internals.js';
import { redactUrl } from '../validation.js';
import { describeData } from './describe.js';

/** What a line of the log is about: a connection event by its name, or `machine` for an event the statechart took. */
export type LogKind = 'state' | 'open' | 'error' | 'close' | 'reconnecting' | 'giveup' | 'undelivered' | 'machine';

/** One line of a connection's log. */
export interface LogLine {
  /** Milliseconds since the record was made, on the connection's own clock (a simulated clock in tests). */
  readonly at: number;
  readonly kind: LogKind;
  readonly text: string;
}

/** Hears a record's news. */
export interface RecordListener {
  /** A line was added to the log. */
  line(line: LogLine): void;
  /**
   * The machine took an event (only while shown): `edges` are the transitions it took, as the
   * diagram titles its edges (`connection.open->connection.attemptEnded`, one per microstep, a
   * targetless one as a loop), none if the event changed nothing; `to` is where it rests.
   */
  step(edges: readonly string[], to: ConnectionStateName): void;
}

/** The most lines a record keeps; older ones are dropped first. */
export const MAX_LOG_LINES = 300;

export class ConnectionRecord {
  readonly connection: Connection;
  /** The connection's URL as the machine's context has it: credentials and query redacted. */
  readonly label: string;
  readonly #lines: LogLine[] = [];
  readonly #listeners = new Set<RecordListener>();
  readonly #started: number;
  #ended = false;
  /** The machine's inspection, while anyone shows the connection. */
  #inspection: Subscription | undefined;
  /** The edges the machine's current step has taken so far. */
  // Stryker disable next-line ArrayDeclaration: equivalent. Every step starts with an `@xstate.event`, which empties it.
  #edges: string[] = [];

  constructor(connection: Connection) {
    this.connection = connection;
    this.label = labelOf(connection);
    this.#started = readClock(connection);
    this.#listen();
    void connection.closed.then(() => this.#end());
  }

  /** The log, oldest first. */
  get lines(): readonly LogLine[] {
    return this.#lines;
  }

  /** Whether the connection is over for good (closed, or gave up). */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Starts telling `listener` what happens, with the machine's events too; the returned function
   * stops, and the last one to stop releases the machine's inspection.
   */
  show(listener: RecordListener): () => void {
    this.#listeners.add(listener);
    if (this.#inspection === undefined && !this.#ended) this.#inspect();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stopInspecting();
    };
  }

  #add(kind: LogKind, text: string): void {
    const line = { at: readClock(this.connection) - this.#started, kind, text };
    this.#lines.push(line);
    if (this.#lines.length > MAX_LOG_LINES) this.#lines.shift(); // one line in, one out
    for (const listener of this.#listeners) guarded(() => listener.line(line));
  }

  /** Listens for good: a connection that is over emits nothing more, and holds these listeners only as long as it is itself held. */
  #listen(): void {
    const on = <K extends keyof ConnectionEventMap>(type: K, text: (payload: ConnectionEventMap[K]) => string): void => {
      this.connection.on(type, (payload) => this.#add(type as LogKind, text(payload)));
    };
    on('state', ({ state, readyState }) => `${state} (readyState ${readyState})`);
    on('open', ({ protocol, extensions }) => `subprotocol "${protocol}"${extensions === '' ? '' : `, extensions "${extensions}"`}`);
    on('error', ({ cause, message }) => `${cause}: ${message}`);
    on(
      'close',
      ({ code, reason, wasClean, cause, willReconnect }) =>
        `${code} ${reason === '' ? '' : `${JSON.stringify(reason)} `}${cause} ${wasClean ? 'clean' : 'unclean'}${willReconnect ? ', will reconnect' : ''}`,
    );
    on('reconnecting', ({ attempt, retry, delay }) => `attempt ${attempt} in ${delay} ms (reconnect ${retry} in a row)`);
    on('giveup', ({ reason, close }) => `${reason} after ${close.code} ${close.cause}`);
    on('undelivered', ({ data, reason }) => `${reason}: ${describeData(data)}`);
  }

  #inspect(): void {
    // The actor is created on first access, from the connection's current state; from then on it
    // steps the connection, and its system reports every event it takes.
    this.#inspection = this.connection.actor.system.inspect((event: InspectionEvent) => guarded(() => this.#inspected(event)));
  }

  #inspected(event: InspectionEvent): void {
    if (event.type === '@xstate.event') {
      this.#add('machine', event.event.type);
      this.#edges = [];
    } else if (event.type === '@xstate.microstep') {
      // Each microstep's transitions, a choice (`attemptEnded`) and its way out included.
      for (const { source, target } of event._transitions) for (const to of target ?? [source]) this.#edges.push(`${source.id}->${to.id}`);
    } else if (event.type === '@xstate.snapshot') {
      const edges = this.#edges;
      // Stryker disable next-line ArrayDeclaration: equivalent. The next step's `@xstate.event` empties it again; a fresh array here leaves the one listeners were given alone whatever comes first.
      this.#edges = [];
      const to = stateNameOf((event.snapshot as { value?: unknown }).value);
      for (const listener of this.#listeners) guarded(() => listener.step(edges, to));
    }
  }

  #stopInspecting(): void {
    this.#inspection?.unsubscribe();
    this.#inspection = undefined;
  }

  /** Runs after the step that ended the connection, its events and machine transitions all heard. */
  #end(): void {
    this.#ended = true;
    this.#stopInspecting();
  }
}

/** `closing.draining` from `{ closing: 'draining' }`, `open` from `'open'`. */
function stateNameOf(value: unknown): ConnectionStateName {
  if (typeof value === 'string') return value as ConnectionStateName;
  const [parent, child] = Object.entries(value as Record<string, string>)[0]!;
  return `${parent}.${child}` as ConnectionStateName;
}

function readClock(connection: Connection): number {
  const source = connection[clock]();
  return source.monotonic ? source.monotonic() : source.now();
}

/** The URL to show: redacted as the machine's context has it, `url()` until a function has given one. */
function labelOf(connection: Connection): string {
  const url = connection.url;
  if (url === '') return 'url()';
  try {
    return redactUrl(new URL(url));
  } catch {
    return 'url()';
  }
}

/** Runs `work`; an error in the inspector must never reach the connection, so it is reported as uncaught, later. */
function guarded(work: () => void): void {
  try {
    work();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
