/**
 * A tiny assertion library for the conformance cases, which run in Node and in a browser page
 * alike (so no vitest, no `node:assert`). Every failure is an `AssertionError` whose message says
 * what was checked, what was expected and what happened.
 */

export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

/** Renders a value unambiguously for a failure message. */
export function show(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return String(value);
  if (value === undefined || value === null || typeof value !== 'object') return Object.is(value, -0) ? '-0' : String(value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (value instanceof ArrayBuffer) return `ArrayBuffer [${[...new Uint8Array(value)].join(', ')}]`;
  if (value instanceof Error || (typeof DOMException !== 'undefined' && value instanceof DOMException)) {
    return `${(value as Error).name}: ${(value as Error).message}`;
  }
  // An object made with `Object.create(null)` has no constructor.
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  if (name !== undefined && name !== 'Object') return `[object ${name}]`;
  return `{ ${Object.entries(value)
    .map(([key, item]) => `${key}: ${show(item)}`)
    .join(', ')} }`;
}

export function fail(message: string): never {
  throw new AssertionError(message);
}

export function ok(value: unknown, what: string): void {
  if (!value) fail(`${what}: expected a truthy value, got ${show(value)}`);
}

/** `Object.is` equality. */
export function equal<T>(actual: T, expected: T, what: string): void {
  if (!Object.is(actual, expected)) fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

/** Structural equality for primitives, arrays and plain objects. */
export function deepEqual(actual: unknown, expected: unknown, what: string): void {
  if (!same(actual, expected)) fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return (
    keysA.length === keysB.length && keysA.every((key) => same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
  );
}

/** Runs `action`, expecting it to throw; returns what it threw. */
export function throws(action: () => unknown, what: string): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return fail(`${what}: expected an exception, none was thrown`);
}

/** Expects `action` to throw a `DOMException` named `name` (the standard's errors are DOMExceptions). */
export function throwsDom(action: () => unknown, name: string, what: string): DOMException {
  const error = throws(action, what);
  if (!(error instanceof DOMException) || error.name !== name) fail(`${what}: expected a ${name} DOMException, got ${show(error)}`);
  return error;
}

/** Expects `action` to throw an instance of `type` (a TypeError, say). */
export function throwsA(action: () => unknown, type: new (...args: never[]) => Error, what: string): Error {
  const error = throws(action, what);
  if (!(error instanceof type)) fail(`${what}: expected a ${type.name}, got ${show(error)}`);
  return error;
}

/** Expects `action` not to throw; returns its result. */
export function doesNotThrow<T>(action: () => T, what: string): T {
  try {
    return action();
  } catch (error) {
    return fail(`${what}: expected no exception, got ${show(error)}`);
  }
}
