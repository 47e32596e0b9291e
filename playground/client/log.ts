/** The page's event log: one line per event, newest last, bounded so a long session stays fast. */

const MAX_LINES = 500;

export type LogKind =
  | 'machine'
  | 'state'
  | 'open'
  | 'message'
  | 'error'
  | 'close'
  | 'reconnecting'
  | 'giveup'
  | 'undelivered'
  | 'parse-error'
  | 'fault'
  | 'worker'
  | 'info';

export interface Log {
  append(kind: LogKind, text: string): void;
}

/** A log that writes into `list`. */
export function createLog(list: HTMLElement): Log {
  const started = performance.now();
  return {
    append(kind, text) {
      // Follow the newest line only if the reader has not scrolled up to read an older one.
      const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
      const line = document.createElement('li');
      line.dataset.kind = kind;
      const time = document.createElement('time');
      time.textContent = `${((performance.now() - started) / 1000).toFixed(3)}s`;
      const label = document.createElement('b');
      label.textContent = kind;
      const body = document.createElement('span');
      body.textContent = text;
      line.append(time, label, body);
      list.append(line);
      while (list.childElementCount > MAX_LINES) list.firstElementChild?.remove();
      if (atBottom) list.scrollTop = list.scrollHeight;
    },
  };
}

/** A short, printable rendering of message data for the log. */
export function preview(data: unknown, max = 80): string {
  if (typeof data === 'string') return JSON.stringify(data.length > max ? `${data.slice(0, max - 3)}...` : data);
  if (data instanceof ArrayBuffer) return `ArrayBuffer(${data.byteLength})`;
  if (data instanceof Blob) return `Blob(${data.size})`;
  if (ArrayBuffer.isView(data)) return `${data.constructor.name}(${data.byteLength})`;
  return String(data);
}
