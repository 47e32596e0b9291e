/**
 * `<statesock-inspector>`: the page's connections, each with its statechart (the current state
 * highlighted, the last transition marked), its log, its queue and `bufferedAmount`.
 *
 * Without a `connection` property it shows every live connection of the page, newest first, as
 * the registry heard of them (so those created before the element too, once the entry point was
 * imported), and each one created while it is in the page. A connection that ends stays, folded
 * once a newer one appears, and the oldest ended ones go beyond `MAX_ENDED`. With a `connection`
 * it shows that one only, whenever it was created.
 */
import type { Connection } from '../connection.js';
import { ConnectionView } from './connection-view.js';
import type { ConnectionRecord } from './record.js';
import { liveRecords, recordOf, watchConnections } from './registry.js';
import { STYLES } from './styles.js';

/** How many ended connections an element keeps showing, besides the live ones. */
export const MAX_ENDED = 5;

/**
 * `HTMLElement`, or a stand-in where there is none (server rendering in Node), so that importing
 * the entry point there defines nothing and throws nothing.
 */
const ElementBase: typeof HTMLElement = typeof HTMLElement === 'undefined' ? (Object as unknown as typeof HTMLElement) : HTMLElement;

/** The `<statesock-inspector>` element. */
export class StatesockInspector extends ElementBase {
  #connection: Connection | null = null;
  #list: HTMLElement | undefined;
  #empty: HTMLElement | undefined;
  readonly #views = new Map<ConnectionRecord, ConnectionView>();
  #stopWatching: (() => void) | undefined;
  #frame: number | undefined;

  /**
   * The one connection to show, or `null` (the default) for every live connection of the page.
   * Any connection can be given, including one created before `statesock/inspector` was imported.
   */
  get connection(): Connection | null {
    return this.#connection;
  }

  set connection(connection: Connection | null) {
    this.#connection = connection ?? null;
    if (this.isConnected) this.#start();
  }

  connectedCallback(): void {
    // A page may set `connection` before the element is defined: that value sits on the instance
    // and hides the accessor until it is moved through it.
    if (Object.hasOwn(this, 'connection')) {
      const given = (this as { connection: Connection | null }).connection;
      delete (this as { connection?: unknown }).connection;
      this.#connection = given;
    }
    this.#start();
  }

  disconnectedCallback(): void {
    this.#stop();
  }

  #start(): void {
    this.#stop();
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    const style = this.ownerDocument.createElement('style');
    style.textContent = STYLES;
    this.#list = this.ownerDocument.createElement('div');
    this.#empty = this.ownerDocument.createElement('p');
    this.#empty.className = 'empty';
    this.#empty.textContent =
      'No connection to show. Import statesock/inspector before creating connections, or set this element\u2019s connection property.';
    root.replaceChildren(style, this.#empty, this.#list);
    if (this.#connection !== null) {
      this.#add(recordOf(this.#connection));
    } else {
      for (const record of liveRecords()) this.#add(record);
      this.#stopWatching = watchConnections((record) => this.#add(record));
    }
    this.#tick();
  }

  #stop(): void {
    this.#stopWatching?.();
    this.#stopWatching = undefined;
    if (this.#frame !== undefined) cancelAnimationFrame(this.#frame);
    this.#frame = undefined;
    for (const view of this.#views.values()) view.dispose();
    this.#views.clear();
  }

  /** Shows `record` first; folds the ended views, and drops the oldest past `MAX_ENDED`. */
  #add(record: ConnectionRecord): void {
    if (this.#views.has(record)) return;
    const view = new ConnectionView(record, this.ownerDocument);
    for (const older of this.#views.values()) if (older.record.ended) older.element.open = false;
    this.#views.set(record, view);
    this.#list!.prepend(view.element);
    const ended = [...this.#views.values()].filter((shown) => shown.record.ended);
    for (const old of ended.slice(0, Math.max(0, ended.length - MAX_ENDED))) {
      old.dispose();
      old.element.remove();
      this.#views.delete(old.record);
    }
    this.#empty!.hidden = true;
  }

  /** Each frame, reads what changes without an event (the queue, `bufferedAmount`); browsers pause it in hidden tabs. */
  #tick(): void {
    for (const view of this.#views.values()) view.refresh();
    this.#frame = requestAnimationFrame(() => this.#tick());
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'statesock-inspector': StatesockInspector;
  }
}
