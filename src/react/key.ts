/**
 * The key under which `useConnection` shares a connection: its URL and its options, compared by
 * value where they are plain data (`{ reconnect: false }` written inline in each render is the
 * same key every time) and by identity where they are not (functions, a clock, a transport, an
 * `AbortSignal`: those must be the same object from render to render, or each render asks for a
 * connection of its own).
 */
import type { ConnectionOptions } from '../options.js';
import type { UrlSource } from '../url-source.js';

const ids = new WeakMap<object, number>();
let nextId = 0;

/** The sharing key of `url` with `options`. */
export function sharingKey(url: UrlSource, options: ConnectionOptions | undefined): string {
  return JSON.stringify([byValue(url), byValue(options ?? {})]);
}

/** `value` as JSON-able data: plain objects with sorted keys, arrays, primitives; anything else as a token of its identity. */
function byValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof URL) return value.href;
  if (Array.isArray(value)) return value.map(byValue);
  if (Object.getPrototypeOf(value) === Object.prototype) {
    const plain = value as Record<string, unknown>;
    const names = Object.keys(plain).filter((name) => plain[name] !== undefined);
    return Object.fromEntries(names.sort().map((name) => [name, byValue(plain[name])]));
  }
  if (typeof value === 'object' || typeof value === 'function') {
    let id = ids.get(value);
    // Stryker disable next-line UpdateOperator: equivalent. The ids only need to differ from one another.
    if (id === undefined) ids.set(value, (id = nextId++));
    return { '\u0000identity': id }; // no plain option value has this key
  }
  return typeof value === 'bigint' ? `${value}n` : (value as symbol).toString(); // not an option's type: createConnection says so
}
