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
 *
 * And one for the first event: what is announced when the connection is created (its initial
 * state) is delivered in a microtask, so that listeners attached right after creation hear it,
 * or sooner if another event is delivered first, and always before any other.
 */
import { Emitter } from './emitter.js';

type Posted<Events> = { [K in keyof Events]: [K, Events[K]] }[keyof Events];

export class Sequencer<Events extends { [K in keyof Events]: unknown }> {
  /** The listeners events are delivered to. */
  readonly events = new Emitter<Events>();
  /** Created when first needed: most connections spend their life with nothing waiting. */
  #outbox: Posted<Events>[] | undefined;
  #delivering = false;
  #inTransition = false;
  #held: (() => void)[] | undefined;

  /** Runs one machine step (an `actor.send`, the actor's start), then delivers what it posted. */
  transition(step: () => void): void {
    const outer = this.enter();
    try {
      step();
    } finally {
      this.leave(outer);
    }
  }

  /**
   * Starts a step by hand, for the hot path that cannot afford a closure per call: pair it with
   * `leave(outer)` in a `finally`.
   */
  enter(): boolean {
    const outer = this.#inTransition;
    this.#inTransition = true;
    return outer;
  }

  /** Ends the step `enter()` started, then delivers what it posted. */
  leave(outer: boolean): void {
    this.#inTransition = outer;
    this.#deliver();
  }

  /** Queues a public event for delivery once the current transition is over. */
  post<K extends keyof Events>(type: K, payload: Events[K]): void {
    (this.#outbox ??= []).push([type, payload] as Posted<Events>);
  }

  /**
   * Queues a public event for delivery in a microtask, ahead of every event posted later: a
   * transition that ends before the microtask delivers it first, with its own events.
   */
  announce<K extends keyof Events>(type: K, payload: Events[K]): void {
    this.post(type, payload);
    queueMicrotask(() => this.#deliver());
  }

  /** Runs a report from outside now, or holds it if it arrived mid-transition or behind held ones. */
  fromOutside(report: () => void): void {
    if (!this.mustHold()) {
      report();
      return;
    }
    const held = (this.#held ??= []);
    held.push(report);
    if (held.length === 1) queueMicrotask(() => this.#replayHeld());
  }

  /** Whether a report arriving now must wait: the hot path checks this before allocating one. */
  mustHold(): boolean {
    return this.#inTransition || this.#held !== undefined;
  }

  /**
   * Delivers an event that needs no transition (an inbound message): at once, or after the
   * events already waiting when a delivery run is under way. (An announcement cannot be
   * waiting: a message needs an open socket, and the transition that opened it delivered.)
   */
  deliverNow<K extends keyof Events>(type: K, payload: Events[K]): void {
    if (this.#delivering) this.post(type, payload);
    else this.events.emit(type, payload);
  }

  #deliver(): void {
    if (this.#delivering) return; // a listener's own call: the outer run delivers what it posted
    const outbox = this.#outbox;
    if (outbox === undefined) return;
    this.#delivering = true;
    try {
      for (let i = 0; i < outbox.length; i++) {
        const [type, payload] = outbox[i]!;
        this.events.emit(type, payload);
      }
      this.#outbox = undefined;
    } finally {
      this.#delivering = false;
    }
  }

  #replayHeld(): void {
    // Each report may hold more; take them one at a time, in order.
    const held = this.#held!;
    for (let report = held[0]; report !== undefined; report = held[0]) {
      report();
      held.shift();
    }
    this.#held = undefined;
  }
}
