/**
 * The in-page half of the `browser-store` benchmark: times the browser's piece store
 * (IdbChunkStore) and the share page's hash worker (hashInWorker) on their real code paths.
 * Runs in the bench page (test/bench/page/entry.ts); every method takes and returns plain data,
 * so the benchmark drives it through page.evaluate.
 */
import { manifestId } from '../../../core/manifest.ts'
import { IdbChunkStore } from '../../../web/idb-store.ts'
import { hashInWorker } from '../../../web/share/hash-in-worker.ts'
import { FILE_INPUT_ID, type HashReceipt, type StoreLabCalls, type TimedBytes } from './store-calls.ts'

/** Bytes compared per probe when reading back; a full compare would double the work timed. */
const PROBE_BYTES = 16

export class StoreLab implements StoreLabCalls {
  #pieces: Uint8Array<ArrayBuffer>[] = []

  async prepare(count: number, pieceSize: number): Promise<void> {
    this.#pieces = Array.from({ length: count }, () => {
      const piece = new Uint8Array(pieceSize)
      // getRandomValues fills at most 64 KiB per call.
      for (let offset = 0; offset < pieceSize; offset += 65536) crypto.getRandomValues(piece.subarray(offset, offset + 65536))
      return piece
    })
  }

  /** Writes every prepared piece, one after another as the engine stores verified pieces, each awaited until its transaction committed. */
  async write(swarmId: string): Promise<TimedBytes> {
    const store = await IdbChunkStore.open(swarmId, this.#pieces.length)
    try {
      const start = performance.now()
      for (const [index, piece] of this.#pieces.entries()) await store.write(index, piece)
      return { bytes: this.#bytes(), pieces: this.#pieces.length, ms: performance.now() - start }
    } finally {
      await store.close()
    }
  }

  /**
   * Reads every piece back as a Blob and into memory, through a store opened afresh (its Blob
   * cache empty), checking a few bytes of each against what was written.
   */
  async read(swarmId: string): Promise<TimedBytes> {
    const store = await IdbChunkStore.open(swarmId, this.#pieces.length)
    try {
      if (store.verified.count !== this.#pieces.length) throw new Error(`${store.verified.count} of ${this.#pieces.length} pieces are stored`)
      const start = performance.now()
      for (const [index, piece] of this.#pieces.entries()) {
        const bytes = new Uint8Array(await (await store.readBlob(index)).arrayBuffer())
        if (!sameProbes(bytes, piece)) throw new Error(`piece ${index} read back differs from what was written`)
      }
      return { bytes: this.#bytes(), pieces: this.#pieces.length, ms: performance.now() - start }
    } finally {
      await store.close()
    }
  }

  /** Adds the file input the benchmark picks a file with. */
  async addFileInput(): Promise<void> {
    if (document.getElementById(FILE_INPUT_ID)) return
    const input = document.createElement('input')
    input.type = 'file'
    input.id = FILE_INPUT_ID
    document.body.append(input)
  }

  /** Hashes the picked file in the share page's worker, timed from the call to the manifest. */
  async hashPicked(): Promise<HashReceipt> {
    const file = (document.getElementById(FILE_INPUT_ID) as HTMLInputElement | null)?.files?.[0]
    if (!file) throw new Error('no file was picked')
    const start = performance.now()
    const manifest = await hashInWorker(file, () => undefined)
    const ms = performance.now() - start
    return { bytes: file.size, pieces: manifest.pieces.length, ms, pieceSize: manifest.pieceSize, id: await manifestId(manifest) }
  }

  /** Frees the prepared pieces, so the next context's page does not find the machine short of memory. */
  async release(): Promise<void> {
    this.#pieces = []
  }

  #bytes(): number {
    return this.#pieces.reduce((sum, piece) => sum + piece.length, 0)
  }
}

function sameProbes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  const starts = [0, (a.length - PROBE_BYTES) >> 1, a.length - PROBE_BYTES].map((s) => Math.max(0, s))
  return starts.every((s) => a.subarray(s, s + PROBE_BYTES).every((value, i) => value === b[s + i]))
}
