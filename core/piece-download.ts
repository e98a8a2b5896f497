/** One piece being assembled from blocks requested from a single peer. */
import type { BlockRef } from './wire.ts'

/** A running SHA-256 (Node's createHash); WebCrypto has none, so browsers hash whole pieces. */
export interface IncrementalHash {
  update(data: Uint8Array): void
  digestHex(): string
}

export class PieceDownload {
  readonly piece: number
  readonly data: Uint8Array
  readonly #blockSize: number
  #nextOffset = 0
  #receivedBytes = 0
  readonly #hash: IncrementalHash | undefined
  /** Bytes fed to #hash so far: a prefix of the piece. */
  #hashedUpTo = 0
  /** Received blocks past a gap, by offset, waiting for the prefix to reach them. */
  readonly #unhashed = new Map<number, number>()

  /**
   * With `hash`, blocks are hashed as they arrive in order, while still in the CPU's cache:
   * hashing the whole piece afterwards reads a megabyte back from memory, which costs a fast
   * link more than the hash itself.
   */
  constructor(piece: number, length: number, blockSize: number, hash?: IncrementalHash) {
    this.piece = piece
    this.data = new Uint8Array(length)
    this.#blockSize = blockSize
    this.#hash = hash
  }

  get fullyRequested(): boolean {
    return this.#nextOffset >= this.data.length
  }

  get complete(): boolean {
    return this.#receivedBytes === this.data.length
  }

  get remainingBytes(): number {
    return this.data.length - this.#receivedBytes
  }

  /** Length of the block nextRequest() will ask for (0 when fully requested). */
  get nextLength(): number {
    return Math.min(this.#blockSize, this.data.length - this.#nextOffset)
  }

  nextRequest(): BlockRef | undefined {
    if (this.fullyRequested) return undefined
    const offset = this.#nextOffset
    const length = Math.min(this.#blockSize, this.data.length - offset)
    this.#nextOffset += length
    return { piece: this.piece, offset, length }
  }

  /** The caller has matched the block against one of its outstanding requests. */
  receive(offset: number, bytes: Uint8Array): void {
    this.data.set(bytes, offset)
    this.#receivedBytes += bytes.length
    if (!this.#hash) return
    this.#unhashed.set(offset, bytes.length)
    for (let length = this.#unhashed.get(this.#hashedUpTo); length !== undefined; length = this.#unhashed.get(this.#hashedUpTo)) {
      this.#unhashed.delete(this.#hashedUpTo)
      this.#hash.update(this.data.subarray(this.#hashedUpTo, this.#hashedUpTo + length))
      this.#hashedUpTo += length
    }
  }

  /** The piece's hex SHA-256 once complete, if it was hashed on arrival; else the caller hashes `data`. */
  digest(): string | undefined {
    return this.#hash && this.complete && this.#hashedUpTo === this.data.length ? this.#hash.digestHex() : undefined
  }
}
