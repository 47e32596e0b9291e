/**
 * The restartable backend under overlapping calls, as the soak makes them: a restart is fired
 * and not awaited, so another restart, or the outage's `stop()`, can come while it is half done.
 * Whatever the overlap, at most one server listens, and once `stop()` has resolved none does and
 * every socket is closed: a later wait (a client's failed attempt in the outage, the handle count
 * at the end) depends on it.
 */
import { expect, it } from 'vitest';
import { activeResources, excessOver } from './handles.js';
import { startBackend } from './restartable-backend.js';

it('starts one server for two overlapping starts, and stop() after them leaves none', async () => {
  const baseline = activeResources();
  const backend = await startBackend(() => {});
  await backend.stop();
  const ports = await Promise.all([backend.start(), backend.start()]);
  expect(ports[1]).toBe(ports[0]);
  await backend.stop();
  expect(await excessOver(baseline), 'servers or sockets left above the baseline').toEqual({});
});

it('stops a server whose start was still under way when stop() was called', async () => {
  const baseline = activeResources();
  const backend = await startBackend(() => {});
  await backend.stop();
  const starting = backend.start();
  await backend.stop();
  await starting;
  // Started, then stopped, in the order called: nothing listens now.
  expect(await excessOver(baseline), 'servers or sockets left above the baseline').toEqual({});
  // And the next start listens again.
  await backend.start();
  await backend.stop();
  expect(await excessOver(baseline)).toEqual({});
});

it('keeps one server through two restarts fired one over the other', async () => {
  const baseline = activeResources();
  const backend = await startBackend(() => {});
  const restart = async () => {
    await backend.stop();
    return backend.start();
  };
  const ports = await Promise.all([restart(), restart()]);
  expect(ports[1]).toBe(ports[0]);
  expect(backend.port).toBe(ports[1]);
  await backend.stop();
  expect(await excessOver(baseline), 'servers or sockets left above the baseline').toEqual({});
});
