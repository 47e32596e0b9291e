/**
 * The promise behind a sender's `ready`, as a stream writer's `ready` (WHATWG Streams Standard):
 * one pending promise for everyone who asks while there is no room, settled once. Each is marked
 * handled, so that one nobody awaits, rejected when its connection or session ends, is not an
 * unhandled rejection (which ends a Node process).
 */

/** A pending promise and what settles it. */
export interface Pending {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** A new pending promise, already marked handled. */
export function pending(): Pending {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(noop);
  return { promise, resolve, reject };
}

/** A promise rejected with `error`, already marked handled. */
export function handledRejection(error: Error): Promise<never> {
  const promise = Promise.reject(error);
  promise.catch(noop);
  return promise;
}

function noop(): void {}
