/**
 * Typed JSON messaging: `jsonChannel(connection)` sends objects and dispatches inbound JSON by
 * its `type` field; malformed input becomes a `parse-error` event, never a closed connection.
 */
export { jsonChannel, type JsonChannel, type JsonChannelOptions } from './channel.js';
export type { JsonParseError, JsonParseErrorReason, MessageValidator, TypedMessage } from './parse.js';
