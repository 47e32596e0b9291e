/**
 * Turning one inbound WebSocket message into a typed JSON message, or into a parse error that
 * says why not. Pure: no connection, no listeners, so every way a message can be malformed is
 * tested on its own.
 */
import type { IncomingData } from '../transports/transport.js';

/** Any JSON message of a protocol that tags its messages with a string `type`, as the chat example in MDN's "Writing WebSocket client applications" does. */
export interface TypedMessage {
  readonly type: string;
}

/**
 * Why an inbound message was not dispatched:
 * - `binary`: a binary frame (`ArrayBuffer` or `Blob`), where JSON travels as text;
 * - `invalid-json`: text that `JSON.parse` rejects;
 * - `not-a-message`: valid JSON, but not an object with a string `type`;
 * - `rejected`: the channel's `validate` function refused it (or threw).
 */
export type JsonParseErrorReason = 'binary' | 'invalid-json' | 'not-a-message' | 'rejected';

/** The `parse-error` event: a message that could not be dispatched, with the raw data as received. */
export interface JsonParseError {
  readonly type: 'parse-error';
  readonly reason: JsonParseErrorReason;
  /** Exactly what the connection delivered: the text, `ArrayBuffer` or `Blob`. */
  readonly data: IncomingData;
  /** What went wrong: `JSON.parse`'s `SyntaxError`, or a `TypeError` naming the problem. */
  readonly error: Error;
}

/** The outcome of parsing one message. */
export type ParseOutcome<M extends TypedMessage> =
  { readonly ok: true; readonly message: M } | { readonly ok: false; readonly error: JsonParseError };

/** Decides whether a parsed message belongs to the protocol; see `JsonChannelOptions.validate`. */
export type MessageValidator<M extends TypedMessage> = (message: TypedMessage) => message is M;

/** Parses `data` as one JSON message tagged with a string `type`, checked by `validate` if given. */
export function parseMessage<M extends TypedMessage>(data: IncomingData, validate?: MessageValidator<M>): ParseOutcome<M> {
  const fail = (reason: JsonParseErrorReason, error: Error): ParseOutcome<M> => ({
    ok: false,
    error: { type: 'parse-error', reason, data, error },
  });
  if (typeof data !== 'string') return fail('binary', new TypeError(`Expected a text message carrying JSON, got ${binaryKind(data)}`));
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (error) {
    return fail('invalid-json', toError(error));
  }
  if (!isTypedMessage(value))
    return fail('not-a-message', new TypeError(`Expected a JSON object with a string \`type\`, got ${describeJson(value)}`));
  if (validate === undefined) return { ok: true, message: value as M };
  let valid: boolean;
  try {
    valid = validate(value);
  } catch (error) {
    return fail('rejected', toError(error));
  }
  return valid
    ? { ok: true, message: value as M }
    : fail('rejected', new TypeError(`The message of type ${JSON.stringify(value.type)} failed validation`));
}

/** Whether `value` is an object, not an array, with a string `type`: what a message is, in and out. */
export function isTypedMessage(value: unknown): value is TypedMessage {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { type?: unknown }).type === 'string';
}

function describeJson(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object without a string `type`';
  return `a ${typeof value}`;
}

function binaryKind(data: ArrayBuffer | Blob): string {
  return data instanceof ArrayBuffer ? `an ArrayBuffer of ${data.byteLength} bytes` : `a Blob of ${data.size} bytes`;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
