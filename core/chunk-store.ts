/**
 * Where a peer keeps pieces. Only verified pieces are ever written, so `verified` is both what
 * the peer may serve and what it need not download again.
 */
import { Bitfield } from './bitfield.ts'
import { ShoalError } from './errors.ts'

export interface ChunkStore {
  readonly pieceCount: number
  /** Pieces stored and verified; the store keeps it current as pieces are written. */
  readonly verified: Bitfield
  /** Reads `length` bytes at `offset` inside a verified piece. */
  read(piece: number, offset: number, length: number): Promise<Uint8Array>
  /** Stores a whole piece the caller has verified. */
  write(piece: number, data: Uint8Array): Promise<void>
  close(): Promise<void>
}

/** Keeps pieces in memory: for tests and small transfers. */
export class MemoryChunkStore implements ChunkStore {
  readonly verified: Bitfield
  readonly #pieces: (Uint8Array | undefined)[]

  constructor(readonly pieceCount: number) {
    this.verified = new Bitfield(pieceCount)
    this.#pieces = new Array(pieceCount)
  }

  /** A store already holding `data`, cut into pieces of `pieceSize`. */
  static from(data: Uint8Array, pieceSize: number): MemoryChunkStore {
    const store = new MemoryChunkStore(Math.ceil(data.length / pieceSize))
    for (let i = 0; i < store.pieceCount; i++) {
      store.#pieces[i] = data.slice(i * pieceSize, (i + 1) * pieceSize)
      store.verified.set(i)
    }
    return store
  }

  async read(piece: number, offset: number, length: number): Promise<Uint8Array> {
    const data = this.#pieces[piece]
    if (!data || offset + length > data.length) throw new ShoalError('NOT_FOUND', `piece ${piece} is not stored`)
    return data.subarray(offset, offset + length)
  }

  async write(piece: number, data: Uint8Array): Promise<void> {
    this.#pieces[piece] = data
    this.verified.set(piece)
  }

  async close(): Promise<void> {}
}
