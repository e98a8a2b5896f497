/**
 * A first-in first-out queue in a ring buffer that doubles when full and never shrinks. The flow
 * model keeps a queue per pipe and per peer, each pushed to and emptied millions of times in a big
 * run: an array used as a queue reallocates its store as it grows and shrinks, and cutting off its
 * head (splice, slice) allocates again; once a ring has grown to its working size it allocates
 * nothing.
 */
export class Ring<T> {
  #items: (T | undefined)[] = new Array<T | undefined>(16).fill(undefined)
  #mask = 15
  #head = 0
  #size = 0

  get size(): number {
    return this.#size
  }

  push(item: T): void {
    if (this.#size > this.#mask) this.#grow()
    this.#items[(this.#head + this.#size++) & this.#mask] = item
  }

  /** Takes the oldest item; the caller checks `size` first. */
  shift(): T {
    const head = this.#head
    const item = this.#items[head] as T
    this.#items[head] = undefined
    this.#head = (head + 1) & this.#mask
    this.#size--
    return item
  }

  /** The item `index` places after the oldest (0: the oldest); the caller keeps it below `size`. */
  at(index: number): T {
    return this.#items[(this.#head + index) & this.#mask] as T
  }

  clear(): void {
    this.#items.fill(undefined)
    this.#head = 0
    this.#size = 0
  }

  #grow(): void {
    const items = new Array<T | undefined>(this.#items.length * 2).fill(undefined)
    for (let i = 0; i < this.#size; i++) items[i] = this.at(i)
    this.#items = items
    this.#mask = items.length - 1
    this.#head = 0
  }
}
