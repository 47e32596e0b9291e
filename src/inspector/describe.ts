/**
 * How the inspector names a message it shows in a log: its kind and size, never its content (a
 * page's inspector may end up in a screenshot or a bug report).
 */
import type { OutgoingData } from '../byte-length.js';

/** `a string of 5 characters`, `an ArrayBuffer of 3 bytes`, `a Uint8Array of 3 bytes`, `a Blob of 12 bytes`. */
export function describeData(data: OutgoingData): string {
  if (typeof data === 'string') return `a string of ${data.length} ${data.length === 1 ? 'character' : 'characters'}`;
  if (ArrayBuffer.isView(data)) return `a ${data.constructor.name} of ${bytes(data.byteLength)}`;
  if ('byteLength' in data) return `${data instanceof ArrayBuffer ? 'an ArrayBuffer' : 'a SharedArrayBuffer'} of ${bytes(data.byteLength)}`;
  return `a Blob of ${bytes(data.size)}`;
}

function bytes(count: number): string {
  return `${count} ${count === 1 ? 'byte' : 'bytes'}`;
}
