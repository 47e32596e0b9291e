/**
 * `statesock/reliable` in Node: the same API as in browsers, with `ws` as the default
 * transport, as the main entry point registers it.
 */
import { setDefaultTransport } from '../transports/default-transport.js';
import { wsTransport } from '../transports/ws-transport.js';

setDefaultTransport(wsTransport);

export * from './index.browser.js';
