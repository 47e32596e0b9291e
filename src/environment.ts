/**
 * What the device says about the network, as machine events: `online`, and a page becoming
 * visible again, mean a reconnect wait may be cut short (by a fresh draw: every client hears
 * it at once) and an open socket deserves a check;
 * `offline` means an open socket may be dead. The target is injectable (`environment`), so
 * tests dispatch these events on a plain `EventTarget` and Node, which has no such events,
 * simply has no target.
 */
import type { EnvironmentEvent } from '../machines/connection.types.js';

/** Listens on `target` until the returned function is called. */
export function watchEnvironment(target: EventTarget, dispatch: (event: EnvironmentEvent) => void): () => void {
  const online = (): void => dispatch({ type: 'env.wake', reason: 'online' });
  const offline = (): void => dispatch({ type: 'env.offline' });
  const visibility = (): void => {
    if (visibilityOf(target) !== 'hidden') dispatch({ type: 'env.wake', reason: 'visible' });
  };
  target.addEventListener('online', online);
  target.addEventListener('offline', offline);
  target.addEventListener('visibilitychange', visibility);
  return () => {
    target.removeEventListener('online', online);
    target.removeEventListener('offline', offline);
    target.removeEventListener('visibilitychange', visibility);
  };
}

/** `visibilitychange` fires at the document and bubbles to the window; the state is the document's. */
function visibilityOf(target: EventTarget): string | undefined {
  const own = target as { visibilityState?: unknown; document?: { visibilityState?: unknown } };
  const state = own.visibilityState ?? own.document?.visibilityState;
  return typeof state === 'string' ? state : undefined;
}
