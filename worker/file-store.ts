/**
 * ChunkStore over a file on disk. Seeding reads pieces from the original file in place; a
 * download writes verified pieces into `<path>.shoal-part` at their offsets and renames it when
 * complete. A partial file left by an interrupted run is re-verified piece by piece on open,
 * so a resumed download never trusts bytes it has not hashed.
 */
import { type FileHandle, open, rename, stat } from 'node:fs/promises'
import { Bitfield } from '../core/bitfield.ts'
import type { ChunkStore } from '../core/chunk-store.ts'
import { ShoalError } from '../core/errors.ts'
import { type Manifest, pieceLength } from '../core/manifest.ts'
import { sha256HexNode } from './hash.ts'
import { readExactly } from './read-exactly.ts'

export const PARTIAL_SUFFIX = '.shoal-part'

export class FileChunkStore implements ChunkStore {
  readonly verified: Bitfield
  readonly #file: FileHandle
  readonly #manifest: Manifest
  #path: string
  #closed = false

  private constructor(file: FileHandle, path: string, manifest: Manifest, verified: Bitfield) {
    this.#file = file
    this.#path = path
    this.#manifest = manifest
    this.verified = verified
  }

  get pieceCount(): number {
    return this.verified.length
  }

  /** A store over a complete file that `manifest` was made from. */
  static async openForSeeding(path: string, manifest: Manifest): Promise<FileChunkStore> {
    const file = await openFile(path, 'r')
    const { size } = await file.stat()
    if (size !== manifest.size) {
      await file.close()
      throw new ShoalError('IO', `${path} changed size since it was hashed (${size} != ${manifest.size} bytes)`)
    }
    return new FileChunkStore(file, path, manifest, Bitfield.full(manifest.pieces.length))
  }

  /**
   * A store writing to `<target>.shoal-part`. Pieces already in a partial file that hash right
   * count as verified; `onVerify` reports that check's progress.
   */
  static async openForDownload(
    target: string,
    manifest: Manifest,
    onVerify?: (checkedBytes: number, totalBytes: number) => void,
  ): Promise<FileChunkStore> {
    const partial = target + PARTIAL_SUFFIX
    const existing = await stat(partial).catch(() => undefined)
    const file = await openFile(partial, existing ? 'r+' : 'w+')
    const verified = new Bitfield(manifest.pieces.length)
    try {
      if (existing?.size === manifest.size) {
        for (let piece = 0; piece < manifest.pieces.length; piece++) {
          const length = pieceLength(manifest, piece)
          const data = await readExactly(file, piece * manifest.pieceSize, length)
          if ((await sha256HexNode(data)) === manifest.pieces[piece]) verified.set(piece)
          onVerify?.(piece * manifest.pieceSize + length, manifest.size)
        }
      } else {
        await file.truncate(manifest.size)
      }
    } catch (err) {
      await file.close()
      throw ioError(`could not prepare ${partial}`, err)
    }
    return new FileChunkStore(file, partial, manifest, verified)
  }

  async read(piece: number, offset: number, length: number): Promise<Uint8Array> {
    if (!this.verified.has(piece)) throw new ShoalError('NOT_FOUND', `piece ${piece} is not stored`)
    try {
      return await readExactly(this.#file, piece * this.#manifest.pieceSize + offset, length)
    } catch (err) {
      throw ioError(`could not read ${this.#path}`, err)
    }
  }

  async write(piece: number, data: Uint8Array): Promise<void> {
    if (data.length !== pieceLength(this.#manifest, piece)) throw new ShoalError('IO', `piece ${piece} has the wrong length`)
    try {
      await this.#file.write(data, 0, data.length, piece * this.#manifest.pieceSize)
    } catch (err) {
      throw ioError(`could not write ${this.#path}`, err)
    }
    this.verified.set(piece)
  }

  /**
   * Flushes a complete download and moves it to `target`. The store stays open and keeps
   * serving reads from the renamed file (an open handle survives a rename), so a peer can go
   * on seeding without reopening it or dropping its connections; close() it when done.
   */
  async finish(target: string): Promise<void> {
    if (!this.verified.complete) throw new ShoalError('IO', 'download is not complete')
    try {
      await this.#file.sync()
      await rename(this.#path, target)
    } catch (err) {
      throw ioError(`could not move ${this.#path} to ${target}`, err)
    }
    this.#path = target
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#file.close()
  }
}

async function openFile(path: string, flags: string): Promise<FileHandle> {
  try {
    return await open(path, flags)
  } catch (err) {
    throw ioError(`could not open ${path}`, err)
  }
}

function ioError(message: string, err: unknown): ShoalError {
  const code = (err as NodeJS.ErrnoException)?.code
  if (code === 'ENOSPC' || code === 'EDQUOT') return new ShoalError('STORAGE_FULL', `${message}: the disk is full`, { cause: err })
  const reason = code ?? (err as Error)?.message ?? String(err)
  return new ShoalError('IO', `${message}: ${reason}`, { cause: err })
}
