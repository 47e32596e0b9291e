/**
 * The browser and worker entry point: the default transport is the platform `WebSocket`, and
 * `ws` is never imported.
 */
export * from './public-api.js';
