/**
 * The transport used when neither `transport` nor `WebSocket` is given. Each entry point
 * registers its own (`index.ts`: `ws`; `index.browser.ts`: the native `WebSocket`), chosen by
 * the package's export conditions, so browser bundles never import `ws`.
 */
import type { Transport } from './transport.js';
import { nativeTransport } from './native-transport.js';

let defaultTransport: Transport = nativeTransport();

export function setDefaultTransport(transport: Transport): void {
  defaultTransport = transport;
}

export function getDefaultTransport(): Transport {
  return defaultTransport;
}
