/**
 * A first-in first-out queue with O(1) push and shift and a running byte total.
 *
 * It stores items in a power-of-two ring buffer that doubles when full, so a million messages
 * queued before open cost a million array writes, not the O(n²) of `Array.shift` loops or
 * immutable copies.
 */
export class ByteQueue<T> {
  #items: (T | undefined)[] = new Array<T | undefined>(16);
  // Stryker disable next-line ArrayDeclaration: equivalent. Filled with zeros only to keep the array packed; writes past an empty one grow it.
  #sizes: number[] = new Array<number>(16).fill(0);
  #head = 0;
  #length = 0;
  #bytes = 0;

  /** How many items wait in the queue. */
  get length(): number {
    return this.#length;
  }

  /** The sum of the sizes the items were pushed with. */
  get bytes(): number {
    return this.#bytes;
  }

  push(item: T, size: number): void {
    if (this.#length === this.#items.length) this.#grow();
    const tail = (this.#head + this.#length) & (this.#items.length - 1);
    this.#items[tail] = item;
    this.#sizes[tail] = size;
    this.#length++;
    this.#bytes += size;
  }

  /** The oldest item's size, or `undefined` when empty. */
  peekSize(): number | undefined {
    return this.#length === 0 ? undefined : this.#sizes[this.#head];
  }

  /** How many items it can hold before it grows. */
  get capacity(): number {
    return this.#items.length;
  }

  /** The item `index` places after the oldest (0 is the oldest), or `undefined` past the newest. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.#length) return undefined;
    return this.#items[(this.#head + index) & (this.#items.length - 1)];
  }

  /** Removes and returns the oldest item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined; // let the payload be collected
    this.#bytes -= this.#sizes[this.#head]!;
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#length--;
    return item;
  }

  /** Removes every item and returns them oldest first. */
  drain(): T[] {
    const items: T[] = [];
    while (this.#length > 0) items.push(this.shift() as T);
    return items;
  }

  #grow(): void {
    const capacity = this.#items.length * 2;
    const items = new Array<T | undefined>(capacity);
    // Stryker disable next-line ArrayDeclaration: equivalent. Filled with zeros only to keep the array packed; writes past an empty one grow it.
    const sizes = new Array<number>(capacity).fill(0);
    for (let i = 0; i < this.#length; i++) {
      const from = (this.#head + i) & (this.#items.length - 1);
      items[i] = this.#items[from];
      sizes[i] = this.#sizes[from]!;
    }
    this.#items = items;
    this.#sizes = sizes;
    this.#head = 0;
  }
}
