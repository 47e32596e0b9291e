/**
 * Event targets that count who listens, standing in for the device's environment (a window's
 * `online`, `offline` and `visibilitychange`) and for an `AbortSignal`: a connection that ended
 * must have stopped listening to both, or it would live on in their listener lists.
 */

/** An `EventTarget` that knows how many listeners it holds. */
export class ListenedTarget extends EventTarget {
  readonly #listeners = new Map<string, Set<unknown>>();

  get listenerCount(): number {
    let count = 0;
    for (const listeners of this.#listeners.values()) count += listeners.size;
    return count;
  }

  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ): void {
    super.addEventListener(type, listener, options);
    if (listener === null) return;
    const listeners = this.#listeners.get(type) ?? new Set();
    listeners.add(listener);
    this.#listeners.set(type, listeners);
  }

  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: EventListenerOptions | boolean,
  ): void {
    super.removeEventListener(type, listener, options);
    this.#listeners.get(type)?.delete(listener);
  }
}

/** A window's network and visibility events, on demand. */
export class TestEnvironment extends ListenedTarget {
  visibilityState: 'visible' | 'hidden' = 'visible';

  show(state: 'visible' | 'hidden'): void {
    this.visibilityState = state;
    this.dispatchEvent(new Event('visibilitychange'));
  }
}

/**
 * What the connection reads of an `AbortSignal` (`aborted`, its `abort` event), with listeners
 * counted; a real signal's listener list cannot be read.
 */
export class TestSignal extends ListenedTarget {
  aborted = false;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.dispatchEvent(new Event('abort'));
  }

  /** As the `signal` option takes it: the connection reads only what this class has. */
  get asSignal(): AbortSignal {
    return this as unknown as AbortSignal;
  }
}
