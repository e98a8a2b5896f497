/** Misbehaving stores for tests: real protocol, bad peers. */
import { MemoryChunkStore } from '../../core/chunk-store.ts'
import { ShoalError } from '../../core/errors.ts'

/** Serves blocks with one bit flipped: a peer sending corrupt data. */
export class CorruptingStore extends MemoryChunkStore {
  override async read(piece: number, offset: number, length: number): Promise<Uint8Array> {
    const block = (await super.read(piece, offset, length)).slice()
    block[0]! ^= 1
    return block
  }
}

/** Accepts requests and never answers them: a peer that stalls. */
export class StallingStore extends MemoryChunkStore {
  override read(): Promise<Uint8Array> {
    return new Promise(() => {})
  }
}

/** A store holding `data`, of the given class. */
export async function filledStore<T extends MemoryChunkStore>(
  Store: new (pieceCount: number) => T,
  data: Uint8Array,
  pieceSize: number,
): Promise<T> {
  const store = new Store(Math.ceil(data.length / pieceSize))
  for (let p = 0; p < store.pieceCount; p++) await store.write(p, data.slice(p * pieceSize, (p + 1) * pieceSize))
  return store
}

/** Takes `room` pieces, then fails like a full disk or an exhausted browser quota. */
export class FillingStore extends MemoryChunkStore {
  room = 0

  override async write(piece: number, data: Uint8Array): Promise<void> {
    if (this.verified.count >= this.room) throw new ShoalError('STORAGE_FULL', 'no room for another piece')
    return super.write(piece, data)
  }
}
