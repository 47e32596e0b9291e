/**
 * The few DOM event types the package's declarations name, declared here so that they compile
 * in a project without the DOM lib (a Node app with `lib: ["es2022"]` and `@types/node`, whose
 * globals have `Event`, `EventTarget`, `Blob`, `AbortSignal` and a non-generic `MessageEvent`,
 * but not `EventInit`, `AddEventListenerOptions` or `EventListenerOrEventListenerObject`).
 *
 * Each is structurally the DOM's own (https://dom.spec.whatwg.org/#interface-event,
 * https://dom.spec.whatwg.org/#interface-eventtarget), so a browser app that annotates with the
 * DOM's names (`EventListenerOrEventListenerObject`, `MessageEvent<string>`) passes them where
 * these are expected, and the other way round.
 */

/** The DOM's `EventInit` dictionary. */
export interface BaseEventInit {
  readonly bubbles?: boolean;
  readonly cancelable?: boolean;
  readonly composed?: boolean;
}

/** The DOM's `EventListenerOptions`. */
export interface ListenerOptions {
  capture?: boolean;
}

/** The DOM's `AddEventListenerOptions`. */
export interface AddListenerOptions extends ListenerOptions {
  once?: boolean;
  passive?: boolean;
  signal?: AbortSignal;
}

/** The DOM's `EventListenerOrEventListenerObject`: a function, or an object with `handleEvent`. */
export type Listener = ((event: Event) => void) | { handleEvent(event: Event): void };

/**
 * The instance type of the global `MessageEvent`: the DOM's where the DOM lib is loaded, Node's
 * (from `@types/node`) elsewhere. Read off `globalThis` rather than named, because Node's global
 * `MessageEvent` type takes no type argument, and naming `MessageEvent<T>` would not compile there.
 */
type GlobalMessageEvent = typeof globalThis extends { MessageEvent: { prototype: infer E } } ? E : Event & { readonly data: unknown };

/**
 * A `MessageEvent` whose `data` is a `T`: every member of the platform's `MessageEvent`, so that
 * a handler written for the DOM's `MessageEvent<T>` accepts it.
 */
export type MessageEventOf<T> = Omit<GlobalMessageEvent, 'data'> & { readonly data: T };
