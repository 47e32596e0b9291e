/**
 * One connection in an inspector element: its state and URL, the queue and `bufferedAmount`, the
 * statechart with the current state highlighted, and its log. Built from the connection's record
 * (`record.ts`), which it listens to while it is shown.
 */
import type { ConnectionStateName } from '../connection-events.js';
import { Diagram } from './diagram.js';
import { MAX_LOG_LINES, type ConnectionRecord, type LogLine, type RecordListener } from './record.js';

export class ConnectionView implements RecordListener {
  readonly record: ConnectionRecord;
  /** The view's root: a `<details>`, so an ended connection can be folded away. */
  readonly element: HTMLDetailsElement;
  readonly #document: Document;
  readonly #state: HTMLElement;
  readonly #meters: Record<'readyState' | 'queued' | 'buffered' | 'protocol', HTMLElement>;
  readonly #bar: HTMLProgressElement;
  readonly #diagramBox: HTMLElement;
  readonly #zoom: HTMLButtonElement;
  readonly #log: HTMLOListElement;
  readonly #diagram: Diagram;
  #peakBuffered = 0;
  /** A node to bring into view once the diagram is laid out (it was not when the state changed). */
  #pendingReveal: SVGGElement | undefined;
  readonly #stop: () => void;

  constructor(record: ConnectionRecord, document: Document) {
    this.record = record;
    this.#document = document;
    const make = <K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, text?: string) => {
      const element = document.createElement(tag);
      for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
      element.textContent = text ?? '';
      return element;
    };

    this.element = make('details', { class: 'connection', part: 'connection' });
    this.element.open = true;
    this.#state = make('b', { class: 'state', part: 'state' });
    const summary = make('summary');
    summary.append(this.#state, make('span', { class: 'url', title: record.label }, record.label));

    const meters = make('dl', { class: 'meters', part: 'meters' });
    const meter = (name: string, label: string, unit?: string) => {
      const value = make('dd', { 'data-meter': name });
      const row = make('div');
      row.append(make('dt', {}, label), value);
      if (unit !== undefined) row.append(unit);
      meters.append(row);
      return value;
    };
    this.#meters = {
      readyState: meter('readyState', 'readyState'),
      queued: meter('queued', 'queued messages'),
      buffered: meter('buffered', 'bufferedAmount', ' bytes'),
      protocol: meter('protocol', 'protocol'),
    };
    this.#bar = make('progress', { 'aria-label': 'bufferedAmount, against the most seen' });
    this.#meters.buffered.parentElement!.append(this.#bar);

    this.#zoom = make('button', { type: 'button', 'data-action': 'zoom' });
    this.#zoom.addEventListener('click', () => this.#setZoom(this.#diagramBox.dataset.zoom === 'fit' ? 'readable' : 'fit'));
    const toolbar = make('div', { class: 'toolbar' });
    toolbar.append(this.#zoom);
    this.#diagramBox = make('div', { class: 'diagram', part: 'diagram' });
    this.#setZoom('readable');
    this.#log = make('ol', { class: 'log', part: 'log', 'aria-label': 'event log' });

    this.#diagram = new Diagram(document);
    this.#diagramBox.replaceChildren(this.#diagram.svg);
    this.element.append(summary, meters, toolbar, this.#diagramBox, this.#log);
    for (const line of record.lines) this.#append(line);
    this.#showState(record.connection.state);
    this.refresh();
    this.#stop = record.show(this);
  }

  /** Stops listening; the element is the caller's to remove. */
  dispose(): void {
    this.#stop();
  }

  line(line: LogLine): void {
    this.#append(line);
  }

  /** Each step the machine takes, while shown: what moves the state and the diagram's marks. */
  step(edges: readonly string[], to: ConnectionStateName): void {
    this.#diagram.showStep(edges);
    this.#showState(to);
  }

  /** Reads what changes without an event (the queue, `bufferedAmount`), and brings the current state into view once the diagram is laid out. */
  refresh(): void {
    const { connection } = this.record;
    const buffered = connection.bufferedAmount;
    this.#peakBuffered = Math.max(this.#peakBuffered, buffered);
    set(this.#meters.readyState, String(connection.readyState));
    set(this.#meters.queued, String(connection.queuedMessages));
    set(this.#meters.buffered, buffered.toLocaleString('en'));
    set(this.#meters.protocol, connection.protocol === '' ? '—' : connection.protocol);
    this.#bar.max = Math.max(1, this.#peakBuffered);
    this.#bar.value = buffered;
    if (this.#pendingReveal !== undefined) this.#reveal(this.#pendingReveal);
    const ended = String(this.record.ended);
    if (this.element.dataset.ended !== ended) this.element.dataset.ended = ended;
  }

  #showState(state: ConnectionStateName): void {
    this.element.dataset.state = state;
    this.#state.dataset.state = state;
    set(this.#state, state);
    const node = this.#diagram.showState(state);
    if (node !== undefined) this.#reveal(node);
  }

  #setZoom(zoom: 'readable' | 'fit'): void {
    this.#diagramBox.dataset.zoom = zoom;
    this.#zoom.textContent = zoom === 'fit' ? 'Actual size' : 'Fit to width';
  }

  /** Scrolls the diagram, and only the diagram, so that `node` is in view, unless it already is. */
  #reveal(node: SVGGElement): void {
    const box = this.#diagramBox;
    this.#pendingReveal = box.clientWidth === 0 ? node : undefined; // not laid out yet (not in the page, folded): later
    if (this.#pendingReveal !== undefined) return;
    const outer = box.getBoundingClientRect();
    const inner = node.getBoundingClientRect();
    const visible = inner.left >= outer.left && inner.right <= outer.right && inner.top >= outer.top && inner.bottom <= outer.bottom;
    if (visible) return;
    box.scrollLeft += inner.left - outer.left - (box.clientWidth - inner.width) / 2;
    box.scrollTop += inner.top - outer.top - (box.clientHeight - inner.height) / 2;
  }

  #append({ at, kind, text }: LogLine): void {
    const list = this.#log;
    // Follow the newest line only if the reader has not scrolled up to read an older one.
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
    const item = this.#document.createElement('li');
    item.dataset.kind = kind;
    const time = this.#document.createElement('time');
    time.textContent = `+${(at / 1000).toFixed(3)} s`;
    const label = this.#document.createElement('b');
    label.textContent = kind;
    const body = this.#document.createElement('span');
    body.textContent = text;
    item.append(time, label, body);
    list.append(item);
    while (list.childElementCount > MAX_LOG_LINES) list.firstElementChild?.remove();
    if (atBottom) list.scrollTop = list.scrollHeight;
  }
}

/** Sets `element`'s text if it differs: most frames change nothing, and an unchanged DOM costs no layout. */
function set(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}
