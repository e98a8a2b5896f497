/**
 * Many bitfields of one length packed in one buffer, each addressed by its byte offset. The flow
 * model keeps every connection's view of its neighbour's pieces here: a big run tests one of them
 * for every `have` it delivers (some 30 M at 1000 peers x 5 GB), and behind a Bitfield per
 * connection that test was three dependent loads (the Bitfield, its typed array, the array's
 * store), most of them cache misses; here it is one.
 */
export class BitRows {
  /** Bytes per row. */
  readonly rowBytes: number
  /** Replaced when it grows: read it at each use, never keep it across an add(). */
  bytes: Uint8Array
  #end = 0

  constructor(readonly length: number) {
    this.rowBytes = Math.ceil(length / 8)
    this.bytes = new Uint8Array(this.rowBytes * 64)
  }

  /** A new row holding `from` (a Bitfield's bytes), or all zeros; returns its offset. */
  add(from?: Uint8Array): number {
    const at = this.#end
    this.#end += this.rowBytes
    if (this.#end > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2)
      grown.set(this.bytes)
      this.bytes = grown
    }
    if (from) this.bytes.set(from, at)
    return at
  }

  has(at: number, index: number): boolean {
    return (this.bytes[at + (index >> 3)]! & (0x80 >> (index & 7))) !== 0
  }

  /** Sets the bit; false if it was set already. The caller keeps `index` below `length`. */
  set(at: number, index: number): boolean {
    const byte = at + (index >> 3)
    const mask = 0x80 >> (index & 7)
    const bytes = this.bytes
    if ((bytes[byte]! & mask) !== 0) return false
    bytes[byte]! |= mask
    return true
  }
}
