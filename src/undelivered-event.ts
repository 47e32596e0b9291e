/**
 * `UndeliveredEvent`, which `ManagedWebSocket` fires for a message that was never written to a
 * socket. The platform `WebSocket` discards such messages silently (it only grows
 * `bufferedAmount`); this event tells an application which message was lost, and why.
 */
import type { UndeliveredReason } from '../machines/connection.types.js';
import type { OutgoingData } from './byte-length.js';
import type { BaseEventInit } from './dom-types.js';

/** What an `UndeliveredEvent` carries. */
export interface UndeliveredEventInit extends BaseEventInit {
  /** Exactly what was passed to `send()`. */
  readonly data: OutgoingData;
  /** Why it was not delivered. */
  readonly reason: UndeliveredReason;
}

/** A message handed to `send()` that never reached a socket; shaped like `MessageEvent`, with a `reason`. */
export class UndeliveredEvent extends Event {
  readonly #data: OutgoingData;
  readonly #reason: UndeliveredReason;

  constructor(type: string, eventInitDict: UndeliveredEventInit) {
    super(type, eventInitDict);
    this.#data = eventInitDict.data;
    this.#reason = eventInitDict.reason;
  }

  /** Exactly what was passed to `send()`, by identity. */
  get data(): OutgoingData {
    return this.#data;
  }

  /** Why the message was not delivered. */
  get reason(): UndeliveredReason {
    return this.#reason;
  }
}
