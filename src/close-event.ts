/**
 * `CloseEvent`, which `ManagedWebSocket` fires when its connection ends. Node 20 has no global
 * one, so this file supplies the WHATWG WebSockets Standard's interface
 * (https://websockets.spec.whatwg.org/#the-closeevent-interface) and uses the platform's own
 * wherever it exists (browsers, newer Node), so `event instanceof CloseEvent` holds there too.
 */
import type { BaseEventInit } from './dom-types.js';
import { toDOMString } from './validation.js';

/** The standard's `CloseEventInit` dictionary; members left out take the standard's defaults. */
export interface CloseEventInit extends BaseEventInit {
  /** The close code. @default 0 */
  readonly code?: number;
  /** The close reason. @default '' */
  readonly reason?: string;
  /** Whether the closing handshake completed. @default false */
  readonly wasClean?: boolean;
}

/** A close event: the standard's `CloseEvent` interface. */
export interface CloseEventImpl extends Event {
  /** The close code the connection ended with (1006 when it closed without a closing handshake). */
  readonly code: number;
  /** The close reason the peer sent, or `''`. */
  readonly reason: string;
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean;
}

/** The `CloseEvent` constructor's shape, native or ours. */
export interface CloseEventConstructor {
  new (type: string, eventInitDict?: CloseEventInit): CloseEventImpl;
  readonly prototype: CloseEventImpl;
}

/**
 * Our `CloseEvent`, named as the platform's (it shadows the global only in this file): the
 * attributes are read-only accessors on the prototype, as the platform's are.
 */
class CloseEvent extends Event implements CloseEventImpl {
  readonly #code: number;
  readonly #reason: string;
  readonly #wasClean: boolean;

  constructor(type: string, eventInitDict: CloseEventInit = {}) {
    super(type, eventInitDict);
    // The dictionary members' WebIDL conversions: unsigned short, USVString, boolean.
    this.#code = toUnsignedShort(eventInitDict.code ?? 0);
    // A JavaScript caller may give any value: convert as WebIDL does.
    const { reason = '', wasClean = false }: { reason?: unknown; wasClean?: unknown } = eventInitDict;
    this.#reason = toDOMString(reason).toWellFormed();
    this.#wasClean = Boolean(wasClean);
  }

  get code(): number {
    return this.#code;
  }

  get reason(): string {
    return this.#reason;
  }

  get wasClean(): boolean {
    return this.#wasClean;
  }

  static {
    // As WebIDL defines @@toStringTag for every interface: String(event) is "[object CloseEvent]".
    Object.defineProperty(this.prototype, Symbol.toStringTag, { value: 'CloseEvent', configurable: true });
  }
}

/** The platform's `CloseEvent` where there is one, ours elsewhere (Node 20). */
export const CloseEventImpl: CloseEventConstructor = (globalThis as { CloseEvent?: CloseEventConstructor }).CloseEvent ?? CloseEvent;

/** WebIDL `unsigned short` without `[Clamp]` or `[EnforceRange]`: truncate, then wrap modulo 2^16. */
function toUnsignedShort(value: unknown): number {
  const number = Number(value);
  if (!Number.isFinite(number)) return 0;
  const wrapped = Math.trunc(number) % 0x10000;
  return wrapped < 0 ? wrapped + 0x10000 : wrapped + 0; // `+ 0` turns -0 into 0
}
