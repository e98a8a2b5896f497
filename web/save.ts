/**
 * Hands the finished file to the user as a normal browser download. The file is assembled
 * as a Blob of the per-piece Blobs: for IndexedDB-backed pieces that is a list of references
 * to disk, so a multi-GB file never has to fit in the tab's memory.
 */
import type { ChunkStore } from '../core/chunk-store.ts'
import { ShoalError } from '../core/errors.ts'

/** The object URL must outlive the click: some browsers start reading it asynchronously. */
const REVOKE_AFTER_MS = 60_000

export type BlobChunkStore = ChunkStore & { readBlob?(piece: number): Promise<Blob> }

/**
 * Saves the whole file as `name`. Stores without `readBlob` (e.g. the memory store) need
 * `pieceLength` to know how many bytes to read of each piece.
 */
export async function saveFile(
  store: BlobChunkStore,
  name: string,
  pieceCount: number,
  pieceLength?: (piece: number) => number,
): Promise<void> {
  const file = await assembleFile(store, pieceCount, pieceLength)
  const url = URL.createObjectURL(file)
  const link = document.createElement('a')
  link.href = url
  link.download = name
  link.rel = 'noopener'
  link.style.display = 'none'
  document.body.append(link)
  try {
    link.click()
  } finally {
    link.remove()
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS)
  }
}

/** The whole file as one Blob, built from the pieces' Blobs without copying their bytes in JS. */
export async function assembleFile(
  store: BlobChunkStore,
  pieceCount: number,
  pieceLength?: (piece: number) => number,
): Promise<Blob> {
  if (store.verified.count < pieceCount) {
    throw new ShoalError('NOT_FOUND', `the file is not complete yet (${store.verified.count} of ${pieceCount} pieces)`)
  }
  const parts: BlobPart[] = []
  for (let piece = 0; piece < pieceCount; piece++) {
    if (store.readBlob) {
      parts.push(await store.readBlob(piece))
    } else if (pieceLength) {
      parts.push(new Blob([copy(await store.read(piece, 0, pieceLength(piece)))]))
    } else {
      throw new ShoalError('BAD_INPUT', 'saving from this store needs the length of each piece')
    }
  }
  return new Blob(parts, { type: 'application/octet-stream' })
}

function copy(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return data.buffer instanceof ArrayBuffer ? (data as Uint8Array<ArrayBuffer>) : new Uint8Array(data)
}
