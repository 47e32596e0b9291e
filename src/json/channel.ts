/**
 * Typed JSON messaging over a `Connection`, as in the chat example of MDN's "Writing WebSocket client applications": send objects, receive
 * them parsed and dispatched by their `type` field, typed with a discriminated union.
 *
 * A malformed message never closes the connection (a server's bad frame is the server's bug,
 * and the app decides what to do about it): it becomes a `parse-error` event with the raw data.
 * With no `onParseError` listener, parse errors are written to `console.warn` instead, at most
 * one per connection every 10 seconds with a count of those held back, because the
 * alternatives are worse (throwing would let any server crash a Node process; staying silent
 * hides a protocol mismatch; a warning per message lets a server flood the log).
 *
 * A listener that throws does not stop the channel, nor (as an uncaught exception would) a Node
 * process: its error goes to `onListenerError`. Without `validate`, a message's shape is only
 * what the types promise, so a listener meeting `null` where the type says `string` is the
 * common case, and one bad message from a server must not end the application.
 */
import type { Connection } from '../connection.js';
import { clock as clockKey } from '../connection-internals.js';
import { Emitter } from '../emitter.js';
import { describeValue } from '../validation.js';
import type { IncomingData } from '../transports/transport.js';
import { isTypedMessage, parseMessage, type JsonParseError, type MessageValidator, type TypedMessage } from './parse.js';

export interface JsonChannelOptions<Incoming extends TypedMessage> {
  /**
   * Checks each parsed message before it is dispatched, so the `Incoming` type is a fact rather
   * than a hope; a message it refuses (or that makes it throw) is a `parse-error` with reason
   * `rejected`. Without it, any JSON object with a string `type` is dispatched as `Incoming`.
   * @default undefined
   */
  readonly validate?: MessageValidator<Incoming>;
  /**
   * Called when a listener of this channel throws, with the error and the message it was
   * handling (the parsed message, or the `parse-error`); the other listeners still run and the
   * channel carries on. By default the error is logged with `console.error`, naming the
   * message's `type`. An error this function throws is reported as an uncaught exception.
   * @default logs the error with the message's type
   */
  readonly onListenerError?: (error: unknown, message: Incoming | JsonParseError) => void;
}

/** A typed JSON view of one connection. `Incoming` and `Outgoing` are unions tagged by `type`. */
export interface JsonChannel<Incoming extends TypedMessage, Outgoing extends TypedMessage> {
  /** The connection it sends on and listens to (for `state`, `close`, `undelivered`...). */
  readonly connection: Connection;
  /**
   * Sends `message` as JSON text through `connection.send()`, with its queueing and its
   * `undelivered` reports (which carry the JSON text). Returns what `connection.send()` returns.
   * Throws a `TypeError` for a value that is not an object with a string `type`, or that JSON
   * cannot encode (a cycle, a `BigInt`), sending nothing.
   */
  send(message: Outgoing): boolean;
  /** Listens for messages of one `type`, narrowed to that member of the union; returns a function that stops listening. */
  on<T extends Incoming['type']>(type: T, listener: (message: Extract<Incoming, { type: T }>) => void): () => void;
  /** Listens for every message that parsed, whatever its `type`, after the listeners for that type. */
  onMessage(listener: (message: Incoming) => void): () => void;
  /** Listens for `parse-error` events; while none listens, they are written to `console.warn`, at most one per connection every 10 s. */
  onParseError(listener: (error: JsonParseError) => void): () => void;
  /** Stops listening to the connection, so no listener of this channel is called again; the connection is left as it is. */
  dispose(): void;
}

/**
 * Wraps `connection` (or `managedWebSocket.connection`) in a typed JSON channel. The connection
 * keeps working as before: raw `message` listeners still see every message.
 *
 * ```ts
 * type ServerMessage = { type: 'id'; id: number } | { type: 'message'; name: string; text: string };
 * type ClientMessage = { type: 'message'; id: number; text: string; date: number };
 * const chat = jsonChannel<ServerMessage, ClientMessage>(connection);
 * chat.on('message', ({ name, text }) => console.log(name, text)); // narrowed to the `message` member
 * chat.onParseError(({ reason, data }) => console.warn(reason, data));
 * chat.send({ type: 'message', id, text: 'hi', date: Date.now() });
 * ```
 */
export function jsonChannel<Incoming extends TypedMessage, Outgoing extends TypedMessage = TypedMessage>(
  connection: Connection,
  options: JsonChannelOptions<Incoming> = {},
): JsonChannel<Incoming, Outgoing> {
  if (options.onListenerError !== undefined && typeof options.onListenerError !== 'function') {
    throw new TypeError(`Expected \`onListenerError\` to be a function, got ${describeValue(options.onListenerError)}`);
  }
  return new Channel<Incoming, Outgoing>(connection, options.validate, options.onListenerError ?? logListenerError);
}

class Channel<Incoming extends TypedMessage, Outgoing extends TypedMessage> implements JsonChannel<Incoming, Outgoing> {
  readonly connection: Connection;
  // Types come from the network; the Emitter keys them without a prototype, so `__proto__` or
  // `toString` are plain types.
  readonly #byType = new Emitter<Record<string, TypedMessage>>();
  readonly #anyMessage = new Emitter<{ message: Incoming }>();
  readonly #parseErrors = new Emitter<{ 'parse-error': JsonParseError }>();
  readonly #validate: MessageValidator<Incoming> | undefined;
  readonly #onListenerError: (error: unknown, message: Incoming | JsonParseError) => void;
  readonly #stop: () => void;

  constructor(
    connection: Connection,
    validate: MessageValidator<Incoming> | undefined,
    onListenerError: (error: unknown, message: Incoming | JsonParseError) => void,
  ) {
    this.connection = connection;
    this.#validate = validate;
    this.#onListenerError = onListenerError;
    this.#stop = connection.on('message', (data) => this.#receive(data));
  }

  send(message: Outgoing): boolean {
    // Typed for TypeScript callers; a JavaScript caller may pass anything.
    if (!isTypedMessage(message)) {
      throw new TypeError(`Expected a message object with a string \`type\`, got ${describeValue(message)}`);
    }
    let text: string | undefined;
    try {
      text = JSON.stringify(message);
    } catch (error) {
      throw new TypeError(`Expected a message JSON can encode: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    // A `toJSON` that returns undefined leaves nothing to send.
    if (typeof text !== 'string') throw new TypeError(`Expected a message JSON can encode, got ${describeValue(message)}`);
    return this.connection.send(text);
  }

  on<T extends Incoming['type']>(type: T, listener: (message: Extract<Incoming, { type: T }>) => void): () => void {
    return this.#byType.on(type, this.#guarded(listener as (message: Incoming) => void) as (message: TypedMessage) => void);
  }

  onMessage(listener: (message: Incoming) => void): () => void {
    return this.#anyMessage.on('message', this.#guarded(listener));
  }

  onParseError(listener: (error: JsonParseError) => void): () => void {
    return this.#parseErrors.on('parse-error', this.#guarded(listener));
  }

  dispose(): void {
    // Without the connection's messages nothing is dispatched again; the listeners go with the channel.
    this.#stop();
  }

  /** `listener`, its errors handed to `onListenerError` rather than thrown into the emitter (which would make them uncaught). */
  #guarded<M extends Incoming | JsonParseError>(listener: (message: M) => void): (message: M) => void {
    return (message) => {
      try {
        listener(message);
      } catch (error) {
        this.#onListenerError(error, message);
      }
    };
  }

  #receive(data: IncomingData): void {
    const outcome = parseMessage(data, this.#validate);
    if (!outcome.ok) {
      if (this.#parseErrors.size > 0) this.#parseErrors.emit('parse-error', outcome.error);
      else warnUnheard(this.connection, outcome.error);
      return;
    }
    this.#byType.emit(outcome.message.type, outcome.message);
    this.#anyMessage.emit('message', outcome.message);
  }
}

/** The default `onListenerError`: the error, and the type of the message whose listener threw (not the message: it may hold what the log should not). */
function logListenerError(error: unknown, message: TypedMessage): void {
  console.error(
    `statesock: a jsonChannel listener for a message of type ${JSON.stringify(message.type)} threw; the channel carries on. Pass onListenerError to handle it.`,
    error,
  );
}

/** How long, on the connection's clock, one warning about unheard parse errors holds back the next. */
const WARNING_INTERVAL_MS = 10_000;

/** Per connection that has warned: when the next warning may be written, and how many were held back since the last. */
const warned = new WeakMap<Connection, { nextAt: number; heldBack: number }>();

/** The report of a parse error nobody listens for: the reason, the error and the start of the data, at most once per connection every 10 s. */
function warnUnheard(connection: Connection, { reason, error, data }: JsonParseError): void {
  const clock = connection[clockKey]();
  const now = clock.monotonic ? clock.monotonic() : clock.now();
  const last = warned.get(connection);
  if (last !== undefined && now < last.nextAt) {
    last.heldBack += 1;
    return;
  }
  warned.set(connection, { nextAt: now + WARNING_INTERVAL_MS, heldBack: 0 });
  const preview = typeof data === 'string' ? JSON.stringify(data.length > 200 ? `${data.slice(0, 197)}...` : data) : describeValue(data);
  const heldBack = last === undefined || last.heldBack === 0 ? '' : ` (${last.heldBack} more since the last warning were not shown)`;
  console.warn(
    `statesock: a JSON message could not be dispatched (${reason}: ${error.message}); data: ${preview}${heldBack}. ` +
      'At most one such warning per connection every 10 s; listen with onParseError() to handle each one.',
  );
}
