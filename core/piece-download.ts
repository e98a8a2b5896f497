/** One piece being assembled from blocks requested from a single peer. */
import type { BlockRef } from './wire.ts'

export class PieceDownload {
  readonly piece: number
  readonly data: Uint8Array
  readonly #blockSize: number
  #nextOffset = 0
  #receivedBytes = 0

  constructor(piece: number, length: number, blockSize: number) {
    this.piece = piece
    this.data = new Uint8Array(length)
    this.#blockSize = blockSize
  }

  get fullyRequested(): boolean {
    return this.#nextOffset >= this.data.length
  }

  get complete(): boolean {
    return this.#receivedBytes === this.data.length
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
  }
}
