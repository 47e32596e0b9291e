/**
 * A typed listener registry. Listeners live in one flat list of `type, listener` pairs, replaced
 * on change (copy-on-write), so adding or removing one while an event is being dispatched never
 * skips or repeats another, and a connection with a handful of listeners pays for one small
 * array rather than a table per event type. A listener that throws is reported the way
 * `EventTarget` reports it (as an uncaught exception, in a later microtask) and never stops the
 * other listeners or the connection.
 */
/** One object that hears every event, before the listeners: what a wrapper such as `ManagedWebSocket` needs, without a closure per event type. */
export interface EventObserver<Events> {
  observe<K extends keyof Events>(type: K, payload: Events[K]): void;
}

export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  /** `[type, listener, type, listener, ...]`; event types are compared by identity, so `__proto__` or `toString` find nothing inherited. */
  #pairs: readonly unknown[] = [];
  #observer: EventObserver<Events> | undefined;

  /** Sets the one observer (see `EventObserver`). */
  observeWith(observer: EventObserver<Events>): void {
    this.#observer = observer;
  }

  /** Adds `listener`; the returned function removes it (and is safe to call twice). */
  on<K extends keyof Events>(type: K, listener: (payload: Events[K]) => void): () => void {
    // `concat` sizes the new array exactly; a spread or a push leaves room for growth that a
    // connection holding three listeners for its whole life never uses.
    this.#pairs = this.#pairs.concat([type, listener]);
    return () => {
      const pairs = this.#pairs;
      for (let i = 0; i < pairs.length; i += 2) {
        if (pairs[i] === type && pairs[i + 1] === listener) {
          this.#pairs = pairs.slice(0, i).concat(pairs.slice(i + 2));
          return;
        }
      }
    };
  }

  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    const observer = this.#observer;
    if (observer !== undefined) {
      try {
        observer.observe(type, payload);
      } catch (error) {
        rethrowLater(error);
      }
    }
    const pairs = this.#pairs;
    for (let i = 0; i < pairs.length; i += 2) {
      if (pairs[i] !== type) continue;
      try {
        (pairs[i + 1] as (payload: Events[K]) => void)(payload);
      } catch (error) {
        rethrowLater(error);
      }
    }
  }

  /** How many listeners are registered, all types together. */
  get size(): number {
    return this.#pairs.length / 2;
  }
}

/** Reports `error` as `EventTarget` reports a listener's: uncaught, in a later microtask. */
function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
