/**
 * Typed JSON messaging over a `Connection`, as in the seed's chat example: send objects, receive
 * them parsed and dispatched by their `type` field, typed with a discriminated union.
 *
 * A malformed message never closes the connection (a server's bad frame is the server's bug,
 * and the app decides what to do about it): it becomes a `parse-error` event with the raw data.
 * Parse errors are never lost: with no `onParseError` listener, each is written to
 * `console.warn` instead, because the alternatives are worse (throwing would let any server
 * crash a Node process; staying silent hides a protocol mismatch).
 */
import type { Connection } from '../connection.js';
import { Emitter } from '../emitter.js';
import { describeValue } from '../validation.js';
import type { IncomingData } from '../transports/transport.js';
import { parseMessage, type JsonParseError, type MessageValidator, type TypedMessage } from './parse.js';

export interface JsonChannelOptions<Incoming extends TypedMessage> {
  /**
   * Checks each parsed message before it is dispatched, so the `Incoming` type is a fact rather
   * than a hope; a message it refuses (or that makes it throw) is a `parse-error` with reason
   * `rejected`. Without it, any JSON object with a string `type` is dispatched as `Incoming`.
   * @default undefined
   */
  readonly validate?: MessageValidator<Incoming>;
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
  /** Listens for `parse-error` events; while none listens, each one is written to `console.warn`. */
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
  return new Channel<Incoming, Outgoing>(connection, options.validate);
}

class Channel<Incoming extends TypedMessage, Outgoing extends TypedMessage> implements JsonChannel<Incoming, Outgoing> {
  readonly connection: Connection;
  // Types come from the network; the Emitter keys them without a prototype, so `__proto__` or
  // `toString` are plain types.
  readonly #byType = new Emitter<Record<string, TypedMessage>>();
  readonly #anyMessage = new Emitter<{ message: Incoming }>();
  readonly #parseErrors = new Emitter<{ 'parse-error': JsonParseError }>();
  readonly #validate: MessageValidator<Incoming> | undefined;
  readonly #stop: () => void;

  constructor(connection: Connection, validate: MessageValidator<Incoming> | undefined) {
    this.connection = connection;
    this.#validate = validate;
    this.#stop = connection.on('message', (data) => this.#receive(data));
  }

  send(message: Outgoing): boolean {
    if (typeof message !== 'object' || message === null || typeof (message as { type?: unknown }).type !== 'string') {
      throw new TypeError(`Expected a message object with a string \`type\`, got ${describeValue(message)}`);
    }
    let text: string | undefined;
    try {
      text = JSON.stringify(message);
    } catch (error) {
      throw new TypeError(`Expected a message JSON can encode: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    // A `toJSON` that returns undefined leaves nothing to send.
    if (typeof text !== 'string') throw new TypeError(`Expected a message JSON can encode, got ${describeValue(message)}`);
    return this.connection.send(text);
  }

  on<T extends Incoming['type']>(type: T, listener: (message: Extract<Incoming, { type: T }>) => void): () => void {
    return this.#byType.on(type, listener as (message: TypedMessage) => void);
  }

  onMessage(listener: (message: Incoming) => void): () => void {
    return this.#anyMessage.on('message', listener);
  }

  onParseError(listener: (error: JsonParseError) => void): () => void {
    return this.#parseErrors.on('parse-error', listener);
  }

  dispose(): void {
    // Without the connection's messages nothing is dispatched again; the listeners go with the channel.
    this.#stop();
  }

  #receive(data: IncomingData): void {
    const outcome = parseMessage(data, this.#validate);
    if (!outcome.ok) {
      if (this.#parseErrors.size > 0) this.#parseErrors.emit('parse-error', outcome.error);
      else warnUnheard(outcome.error);
      return;
    }
    this.#byType.emit(outcome.message.type, outcome.message);
    this.#anyMessage.emit('message', outcome.message);
  }
}

/** The report of a parse error nobody listens for: the reason, the error and the start of the data. */
function warnUnheard({ reason, error, data }: JsonParseError): void {
  const preview = typeof data === 'string' ? JSON.stringify(data.length > 200 ? `${data.slice(0, 197)}...` : data) : describeValue(data);
  console.warn(`statesock: a JSON message could not be dispatched (${reason}: ${error.message}); data: ${preview}. Listen with onParseError() to handle it.`);
}
