/**
 * A typed listener registry. Listeners are kept in arrays replaced on change (copy-on-write),
 * so adding or removing one while an event is being dispatched never skips or repeats another.
 * A listener that throws is reported the way `EventTarget` reports it (as an uncaught
 * exception, in a later microtask) and never stops the other listeners or the connection.
 */
export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  // No prototype: an event type such as `toString` must not find an inherited property.
  #listeners: { [K in keyof Events]?: readonly ((payload: Events[K]) => void)[] } = Object.create(null);

  /** Adds `listener`; the returned function removes it (and is safe to call twice). */
  on<K extends keyof Events>(type: K, listener: (payload: Events[K]) => void): () => void {
    this.#listeners[type] = [...(this.#listeners[type] ?? []), listener];
    return () => {
      const remaining = (this.#listeners[type] ?? []).filter((candidate) => candidate !== listener);
      if (remaining.length > 0) this.#listeners[type] = remaining;
      else delete this.#listeners[type];
    };
  }

  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    const listeners = this.#listeners[type];
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        listener(payload);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** How many listeners are registered, all types together. */
  get size(): number {
    return Object.values(this.#listeners).reduce((sum: number, list) => sum + (list as unknown[]).length, 0);
  }
}
