/**
 * Keeps a swarm's verified pieces in IndexedDB, so a finished browser can seed and a reloaded
 * tab resumes where it stopped.
 */
import { Bitfield } from '../core/bitfield.ts'
import type { ChunkStore } from '../core/chunk-store.ts'
import { ShoalError } from '../core/errors.ts'
import { ioError, openShoalDb, type ShoalDb } from './idb-db.ts'

/** Piece Blobs read back from the database are handles to disk, cheap to keep a few of. */
const BLOB_CACHE_SIZE = 8

export class IdbChunkStore implements ChunkStore {
  readonly verified: Bitfield
  readonly #db: ShoalDb
  readonly #swarmId: string
  /** Peers read a piece as many small blocks: one database lookup per piece, not per block. */
  readonly #blobs = new Map<number, Blob>()

  private constructor(db: ShoalDb, readonly swarmId: string, readonly pieceCount: number, verified: Bitfield) {
    this.#db = db
    this.#swarmId = swarmId
    this.verified = verified
  }

  /**
   * Opens the store for one swarm. The pieces already stored are the ones verified: a record
   * is written in one transaction only after its hash checked, so a key present means a whole,
   * good piece, even after a crash mid-download.
   */
  static async open(swarmId: string, pieceCount: number): Promise<IdbChunkStore> {
    if (!Number.isSafeInteger(pieceCount) || pieceCount < 0) {
      throw new ShoalError('BAD_INPUT', `piece count must be a non-negative integer, not ${pieceCount}`)
    }
    const db = await openShoalDb()
    try {
      const keys = await db.getAllKeys('pieces', IDBKeyRange.bound([swarmId, 0], [swarmId, pieceCount], false, true))
      const verified = new Bitfield(pieceCount)
      for (const [, piece] of keys) verified.set(piece)
      return new IdbChunkStore(db, swarmId, pieceCount, verified)
    } catch (err) {
      db.close()
      throw ioError('could not read which pieces are already stored', err)
    }
  }

  /** The stored manifest JSON of a swarm, if this browser has seen it before. */
  static async loadManifest(swarmId: string): Promise<string | undefined> {
    const db = await openShoalDb()
    try {
      return (await db.get('swarms', swarmId))?.manifest
    } catch (err) {
      throw ioError('could not read the saved file description', err)
    } finally {
      db.close()
    }
  }

  async saveManifest(json: string): Promise<void> {
    try {
      await this.#db.put('swarms', { swarmId: this.#swarmId, manifest: json, updatedAt: Date.now() })
    } catch (err) {
      throw ioError('could not save the file description', err)
    }
  }

  async read(piece: number, offset: number, length: number): Promise<Uint8Array> {
    const blob = await this.readBlob(piece)
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > blob.size) {
      throw new ShoalError('NOT_FOUND', `bytes ${offset}..${offset + length} are outside piece ${piece} (${blob.size} bytes)`)
    }
    try {
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer())
    } catch (err) {
      // Chromium reports a Blob whose backing file vanished (site data cleared) as NotReadableError.
      this.#blobs.delete(piece)
      throw ioError(`could not read piece ${piece}`, err)
    }
  }

  /** The whole piece as a Blob, for assembling the finished file without copying it into memory. */
  async readBlob(piece: number): Promise<Blob> {
    if (!this.verified.has(piece)) throw new ShoalError('NOT_FOUND', `piece ${piece} is not stored`)
    const cached = this.#blobs.get(piece)
    if (cached) {
      // Refresh its place: Map keeps insertion order, the first entry is the oldest.
      this.#blobs.delete(piece)
      this.#blobs.set(piece, cached)
      return cached
    }
    let blob: Blob | undefined
    try {
      blob = await this.#db.get('pieces', [this.#swarmId, piece])
    } catch (err) {
      throw ioError(`could not read piece ${piece}`, err)
    }
    if (!blob) throw new ShoalError('NOT_FOUND', `piece ${piece} is missing from browser storage (was site data cleared?)`)
    this.#blobs.set(piece, blob)
    if (this.#blobs.size > BLOB_CACHE_SIZE) this.#blobs.delete(this.#blobs.keys().next().value!)
    return blob
  }

  async write(piece: number, data: Uint8Array): Promise<void> {
    if (!Number.isInteger(piece) || piece < 0 || piece >= this.pieceCount) {
      throw new ShoalError('BAD_INPUT', `piece ${piece} is out of range 0..${this.pieceCount - 1}`)
    }
    // Pieces are content-addressed: a stored one already holds exactly these bytes.
    if (this.verified.has(piece)) return
    // The Blob copies the bytes, so the caller may reuse its buffer once this resolves.
    const blob = new Blob([blobPart(data)])
    try {
      const tx = this.#db.transaction('pieces', 'readwrite')
      // The transaction's outcome carries the real error (QuotaExceededError surfaces there,
      // while the request itself may only report AbortError).
      tx.store.put(blob, [this.#swarmId, piece]).catch(() => {})
      await tx.done
    } catch (err) {
      throw ioError(`could not store piece ${piece}`, err)
    }
    this.verified.set(piece)
  }

  async close(): Promise<void> {
    this.#blobs.clear()
    this.#db.close()
  }
}

/** Blob parts must be backed by an ArrayBuffer; a view on shared memory is copied first. */
function blobPart(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return data.buffer instanceof ArrayBuffer ? (data as Uint8Array<ArrayBuffer>) : new Uint8Array(data)
}
