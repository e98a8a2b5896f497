/** A fixed-length set of piece indices, packed most significant bit first as on the wire. */
export class Bitfield {
  readonly length: number
  readonly bytes: Uint8Array
  #count = 0

  constructor(length: number, bytes?: Uint8Array) {
    this.length = length
    this.bytes = new Uint8Array(Math.ceil(length / 8))
    if (bytes) {
      if (bytes.length !== this.bytes.length) throw new RangeError(`bitfield must be ${this.bytes.length} bytes`)
      const spare = this.bytes.length * 8 - length
      if (spare > 0 && (bytes[bytes.length - 1]! & ((1 << spare) - 1)) !== 0) {
        throw new RangeError('bitfield has bits set past its length')
      }
      this.bytes.set(bytes)
      for (let i = 0; i < length; i++) if (this.has(i)) this.#count++
    }
  }

  static full(length: number): Bitfield {
    const field = new Bitfield(length)
    for (let i = 0; i < length; i++) field.set(i)
    return field
  }

  get count(): number {
    return this.#count
  }

  get complete(): boolean {
    return this.#count === this.length
  }

  has(index: number): boolean {
    if (index < 0 || index >= this.length) return false
    return (this.bytes[index >> 3]! & (0x80 >> (index & 7))) !== 0
  }

  set(index: number): void {
    if (index < 0 || index >= this.length || !Number.isInteger(index)) throw new RangeError(`piece ${index} out of range`)
    if (this.has(index)) return
    this.bytes[index >> 3]! |= 0x80 >> (index & 7)
    this.#count++
  }

  *indices(): Iterable<number> {
    for (let i = 0; i < this.length; i++) if (this.has(i)) yield i
  }
}
