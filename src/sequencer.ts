/**
 * The order in which things cross the boundary between the machine and the outside world.
 *
 * Two rules keep every listener and every transition on solid ground:
 * - Public events produced during a transition are posted, then delivered once the actor is
 *   idle, in order; a listener that calls back into the connection (`send()`, `close()`) meets
 *   a settled state, and whatever its call produces is delivered after the current event.
 * - A report from a transport or timer that arrives while a transition runs (a socket that
 *   fails synchronously inside `close()`, say) is held and replayed in a later microtask, after
 *   whatever was already waiting: the machine never hears of a fact in the middle of the
 *   transition that caused it, and facts keep their order.
 */
import type { Emitter } from './emitter.js';

type Posted<Events> = { [K in keyof Events]: [K, Events[K]] }[keyof Events];

export class Sequencer<Events extends { [K in keyof Events]: unknown }> {
  readonly #events: Emitter<Events>;
  #outbox: Posted<Events>[] = [];
  #delivering = false;
  #inTransition = false;
  #held: (() => void)[] = [];

  constructor(events: Emitter<Events>) {
    this.#events = events;
  }

  /** Runs one machine step (an `actor.send`, the actor's start), then delivers what it posted. */
  transition(step: () => void): void {
    const outer = this.#inTransition;
    this.#inTransition = true;
    try {
      step();
    } finally {
      this.#inTransition = outer;
    }
    this.#deliver();
  }

  /** Queues a public event for delivery once the current transition is over. */
  post<K extends keyof Events>(type: K, payload: Events[K]): void {
    this.#outbox.push([type, payload] as Posted<Events>);
  }

  /** Runs a report from outside now, or holds it if it arrived mid-transition or behind held ones. */
  fromOutside(report: () => void): void {
    if (!this.mustHold()) {
      report();
      return;
    }
    this.#held.push(report);
    if (this.#held.length === 1) queueMicrotask(() => this.#replayHeld());
  }

  /** Whether a report arriving now must wait: the hot path checks this before allocating one. */
  mustHold(): boolean {
    return this.#inTransition || this.#held.length > 0;
  }

  /**
   * Delivers an event that needs no transition (an inbound message): at once, or after the
   * events already waiting when a delivery run is under way.
   */
  deliverNow<K extends keyof Events>(type: K, payload: Events[K]): void {
    if (this.#delivering) this.post(type, payload);
    else this.#events.emit(type, payload);
  }

  #deliver(): void {
    if (this.#delivering) return; // a listener's own call: the outer run delivers what it posted
    this.#delivering = true;
    try {
      for (let i = 0; i < this.#outbox.length; i++) {
        const [type, payload] = this.#outbox[i]!;
        this.#events.emit(type, payload);
      }
      this.#outbox = [];
    } finally {
      this.#delivering = false;
    }
  }

  #replayHeld(): void {
    // Each report may hold more; take them one at a time, in order.
    for (let report = this.#held[0]; report !== undefined; report = this.#held[0]) {
      report();
      this.#held.shift();
    }
  }
}
