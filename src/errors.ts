/**
 * Programmer mistakes throw at once, with the error the web platform throws for the same
 * mistake; runtime failures arrive later as events with a typed cause (see `CloseCause`).
 */

/** The `DOMException` names the WHATWG WebSockets Standard throws. */
export type DomErrorName = 'SyntaxError' | 'InvalidAccessError' | 'SecurityError' | 'InvalidStateError';

/** A `DOMException`, as `new WebSocket()`, `close()` and `send()` throw them. */
export function domError(name: DomErrorName, message: string): DOMException {
  return new DOMException(message, name);
}

/** Renders a value for an error message: strings quoted, other primitives as written, objects by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `${JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value)} (string)`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${String(value)} (${typeof value})`;
  }
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return `a function`;
  const name = (value as object).constructor?.name;
  return name ? `an object of type ${name}` : 'an object';
}
