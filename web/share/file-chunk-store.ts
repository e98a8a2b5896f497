/**
 * ChunkStore over a file picked in this tab: a seeder that serves pieces by reading slices of
 * the File on demand, never holding the file in memory. Every piece counts as verified because
 * the manifest was just hashed from this very file; should the file change on disk afterwards,
 * the browser refuses to read it (and a peer would reject any piece that no longer matches).
 */
import { Bitfield } from '../../core/bitfield.ts'
import type { ChunkStore } from '../../core/chunk-store.ts'
import { ShoalError } from '../../core/errors.ts'
import { type Manifest, pieceLength } from '../../core/manifest.ts'
import { readSlice } from './read-slice.ts'

export interface FileChunkStoreOptions {
  /** Called once, on the first read that fails: the file can no longer be served. */
  onUnreadable?: (error: ShoalError) => void
}

export class FileChunkStore implements ChunkStore {
  readonly verified: Bitfield
  readonly #file: File
  readonly #manifest: Manifest
  readonly #onUnreadable: ((error: ShoalError) => void) | undefined
  #unreadable = false

  constructor(file: File, manifest: Manifest, options: FileChunkStoreOptions = {}) {
    if (file.size !== manifest.size) {
      throw new ShoalError('IO', `${file.name} is ${file.size} bytes, but its manifest says ${manifest.size}`)
    }
    this.#file = file
    this.#manifest = manifest
    this.#onUnreadable = options.onUnreadable
    this.verified = Bitfield.full(manifest.pieces.length)
  }

  get pieceCount(): number {
    return this.verified.length
  }

  async read(piece: number, offset: number, length: number): Promise<Uint8Array> {
    if (!this.verified.has(piece) || offset < 0 || length < 0 || offset + length > pieceLength(this.#manifest, piece)) {
      throw new ShoalError('NOT_FOUND', `bytes ${offset}+${length} of piece ${piece} are not in ${this.#file.name}`)
    }
    try {
      return await readSlice(this.#file, piece * this.#manifest.pieceSize + offset, length)
    } catch (err) {
      if (err instanceof ShoalError && !this.#unreadable) {
        this.#unreadable = true
        this.#onUnreadable?.(err)
      }
      throw err
    }
  }

  async write(piece: number, _data: Uint8Array): Promise<void> {
    throw new ShoalError('IO', `piece ${piece}: a file shared from this tab is only read, never written`)
  }

  async close(): Promise<void> {}
}
