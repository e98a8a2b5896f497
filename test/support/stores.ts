/** Misbehaving stores for tests: real protocol, bad peers. */
import { MemoryChunkStore } from '../../core/chunk-store.ts'

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
