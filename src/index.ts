/**
 * The Node entry point: the default transport is the `ws` client.
 */
import { setDefaultTransport } from './transports/default-transport.js';
import { wsTransport } from './transports/ws-transport.js';

setDefaultTransport(wsTransport);

export * from './public-api.js';
export { wsTransport } from './transports/ws-transport.js';
