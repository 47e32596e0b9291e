/**
 * What a conformance case is and what it runs against. Each case is written once, as an async
 * function of an environment, and runs unchanged in Node (against `ManagedWebSocket`) and in a
 * Chromium page (against the platform `WebSocket` and against `ManagedWebSocket`).
 */

/** The `WebSocket` interface as the cases use it: loosely typed, so they can pass odd arguments. */
export interface SocketUnderTest extends EventTarget {
  readonly url: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly protocol: string;
  readonly extensions: string;
  binaryType: string;
  onopen: unknown;
  onmessage: unknown;
  onerror: unknown;
  onclose: unknown;
  send(data: unknown): unknown;
  close(code?: unknown, reason?: unknown): unknown;
  readonly CONNECTING: number;
  readonly OPEN: number;
  readonly CLOSING: number;
  readonly CLOSED: number;
}

export interface SocketConstructor {
  new (...args: unknown[]): SocketUnderTest;
  readonly prototype: SocketUnderTest;
  readonly CONNECTING: number;
  readonly OPEN: number;
  readonly CLOSING: number;
  readonly CLOSED: number;
}

/**
 * The deliberate differences from the standard, each a row of the table in
 * docs/differences-from-websocket.md. A case tagged with one asserts the platform's behaviour when
 * `deliberate` is false and the library's documented behaviour when it is true.
 */
export type Difference =
  'queue-before-open' | 'drain-before-close' | 'report-sends-after-close' | 'buffered-amount-after-close' | 'untrusted-events';

/** What the runners provide. */
export interface EnvironmentBase {
  /** `node`, or `chromium` for a page. */
  readonly runtime: 'node' | 'chromium';
  /** `platform` for the global `WebSocket`, `library` for `ManagedWebSocket`. */
  readonly implementation: 'platform' | 'library';
  readonly WebSocket: SocketConstructor;
  /** Whether relative URLs have a base (the page's URL); Node has none. */
  readonly baseIsPage: boolean;
  /** `ws://127.0.0.1:<port><path>` on the behaviour server (see `server.ts`). */
  url(path: string): string;
  /** A loopback `ws:` URL on a port nothing listens on. */
  readonly refusedUrl: string;
}

/** What a case receives. */
export interface ConformanceEnv extends EnvironmentBase {
  /** True for `ManagedWebSocket`: cases tagged with a `Difference` assert the library's behaviour. */
  readonly deliberate: boolean;
  /** Whether this is Chromium's own `WebSocket` (where a case records an observed disagreement with the standard). */
  readonly chromiumPlatform: boolean;
  /** `new WebSocket(...args)`, remembered so the runner closes it after the case, pass or fail. */
  create(...args: unknown[]): SocketUnderTest;
}

export interface ConformanceCase {
  /** The behaviour, in the present tense; unique. */
  readonly name: string;
  /** The standard's sections and the web-platform-tests files the case checks. */
  readonly cites: readonly string[];
  /** The row of docs/differences-from-websocket.md this case pins, if it tests a deliberate difference. */
  readonly difference?: Difference;
  /** Where Chromium disagrees with the standard: what it does instead (the case asserts that for Chromium). */
  readonly chromium?: string;
  readonly run: (env: ConformanceEnv) => Promise<void>;
}

/** The standard, section by section. */
export const SPEC = 'https://websockets.spec.whatwg.org/';

/** Declares a case; only for readability at the definition site. */
export function defineCase(definition: ConformanceCase): ConformanceCase {
  return definition;
}
