/**
 * What the device says about the network, as machine events: `online`, and a page becoming
 * visible again, mean a reconnect wait may be cut short (by a fresh draw: every client hears
 * it at once) and an open socket deserves a check;
 * `offline` means an open socket may be dead. The target is injectable (`environment`), so
 * tests dispatch these events on a plain `EventTarget` and Node, which has no such events,
 * simply has no target.
 *
 * Every connection on one target shares one listener per event type: a page with many
 * connections adds three listeners to `window`, not three per connection, and Node does not
 * take a shared `EventTarget` with more than ten connections for a listener leak.
 */
import type { EnvironmentEvent } from '../machines/connection.types.js';

type Hearer = (event: EnvironmentEvent) => void;

/** The connections listening on each target, in the order they started. */
const audiences = new WeakMap<EventTarget, Audience>();

/** Listens on `target` until the returned function is called. */
export function watchEnvironment(target: EventTarget, dispatch: Hearer): () => void {
  let audience = audiences.get(target);
  if (audience === undefined) audiences.set(target, (audience = new Audience(target)));
  audience.hearers.add(dispatch);
  return () => {
    audience.hearers.delete(dispatch);
    if (audience.hearers.size === 0) {
      audience.stop();
      audiences.delete(target);
    }
  };
}

class Audience {
  readonly hearers = new Set<Hearer>();
  readonly #target: EventTarget;
  readonly #online = (): void => this.#tell({ type: 'env.wake', reason: 'online' });
  readonly #offline = (): void => this.#tell({ type: 'env.offline' });
  readonly #visibility = (): void => {
    if (!isHidden(this.#target)) this.#tell({ type: 'env.wake', reason: 'visible' });
  };

  constructor(target: EventTarget) {
    this.#target = target;
    target.addEventListener('online', this.#online);
    target.addEventListener('offline', this.#offline);
    target.addEventListener('visibilitychange', this.#visibility);
  }

  stop(): void {
    this.#target.removeEventListener('online', this.#online);
    this.#target.removeEventListener('offline', this.#offline);
    this.#target.removeEventListener('visibilitychange', this.#visibility);
  }

  /** Tells each connection listening; one that stops listening meanwhile, before its turn, is not told. */
  #tell(event: EnvironmentEvent): void {
    for (const hearer of this.hearers) hearer(event);
  }
}

/** `visibilitychange` fires at the document and bubbles to the window; the state is the document's. */
function isHidden(target: EventTarget): boolean {
  const own = target as { visibilityState?: unknown; document?: { visibilityState?: unknown } };
  return (own.visibilityState ?? own.document?.visibilityState) === 'hidden';
}
