/**
 * Where each connection attempt gets its URL: a fixed URL, checked once when the connection is
 * created, or a function called before every attempt, so a token in the query can be rotated
 * between reconnects. A function may return a promise (to fetch a fresh token); what it returns
 * is checked as the constructor checks a fixed URL, and a bad result fails that one attempt
 * with an error event naming the value, since no caller is left to throw to.
 */
import { describeValue } from './validation.js';
import { checkTransportSecurity, parseWebSocketUrl } from './validation.js';

/** A URL, or a function giving one (or a promise of one) for each attempt. */
export type UrlSource = string | URL | (() => string | URL | PromiseLike<string | URL>);

/** The URL for one attempt: now, or once the function's promise settles. */
export type AttemptUrl = { readonly url: URL } | { readonly pending: PromiseLike<URL> };

export class UrlResolver {
  readonly #source: UrlSource;
  readonly #secureOnly: boolean;
  /** The fixed URL, or the last one a function gave, serialized: a string weighs less than a `URL` kept for the connection's life. */
  #latest: string | undefined;

  /** `fixed` is the source already parsed (`parseWebSocketUrl`), when it is not a function. */
  constructor(source: UrlSource, fixed: URL | undefined, secureOnly: boolean) {
    this.#source = source;
    this.#secureOnly = secureOnly;
    if (fixed !== undefined) {
      checkTransportSecurity(fixed, secureOnly);
      this.#latest = fixed.href;
    }
  }

  /** The URL of the current (or last) attempt, serialized. */
  get latest(): string | undefined {
    return this.#latest;
  }

  /** The URL for the next attempt. Throws (or rejects) with the error the constructor would have thrown. */
  next(): AttemptUrl {
    const source = this.#source;
    if (typeof source !== 'function') return { url: new URL(this.#latest!) };
    const result = source();
    if (isThenable(result)) return { pending: Promise.resolve(result).then((value) => this.#accept(value)) };
    return { url: this.#accept(result) };
  }

  #accept(value: unknown): URL {
    if (typeof value !== 'string' && !(value instanceof URL)) {
      throw new TypeError(`Expected the url function to return a string or a URL, got ${describeValue(value)}`);
    }
    const url = this.#check(value);
    this.#latest = url.href;
    return url;
  }

  #check(value: string | URL): URL {
    const url = parseWebSocketUrl(value);
    checkTransportSecurity(url, this.#secureOnly);
    return url;
  }
}

function isThenable(value: unknown): value is PromiseLike<string | URL> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
