/**
 * What a connection emitted, as the tests write it: every event as one `formatEvent` line, the
 * format the generated paths' oracle uses too (`src/testing/model/event-log.ts`).
 */
import type { Connection, ConnectionEventMap } from '../../src/index.js';
import { recordEvents } from '../../src/testing/model/event-log.js';

export { formatClose, formatEvent, WILL_RECONNECT } from '../../src/testing/model/event-log.js';

type EventType = keyof ConnectionEventMap;

/** Every event `connection` emits from now on (only those of the types `only`, or all but those `without`), as one line each, in order. */
export function record(
  connection: Connection,
  { only, without = [] }: { only?: readonly EventType[]; without?: readonly EventType[] } = {},
): string[] {
  const listens = (type: EventType) => (only === undefined || only.includes(type)) && !without.includes(type);
  return recordEvents((type, listener) => (listens(type) ? connection.on(type, listener) : undefined));
}
