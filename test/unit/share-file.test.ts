/**
 * The browser's share path without a browser: hashing a picked File and seeding from it, both
 * by reading slices, never the whole file (Node 20 has the same File and Blob as the page).
 */
import { describe, expect, it } from 'vitest'
import { isShoalError } from '../../core/errors.ts'
import { MIN_PIECE_SIZE, pieceLength } from '../../core/manifest.ts'
import { FileChunkStore } from '../../web/share/file-chunk-store.ts'
import { manifestOfFile } from '../../web/share/file-manifest.ts'
import { manifestFor, randomData } from '../support/data.ts'

const SIZE = 2 * MIN_PIECE_SIZE + 12_345

/** A File that records the size of every slice read from it. */
function spiedFile(data: Uint8Array, name = 'picked.bin'): { file: File; sliceSizes: number[] } {
  const file = new File([data as Uint8Array<ArrayBuffer>], name)
  const sliceSizes: number[] = []
  const slice = file.slice.bind(file)
  file.slice = (start?: number, end?: number) => {
    const part = slice(start, end)
    sliceSizes.push(part.size)
    return part
  }
  return { file, sliceSizes }
}

/** A File whose reads fail the way Chromium's do after the file changed on disk. */
function unreadableFile(size: number): File {
  const file = new File([new Uint8Array(size)], 'gone.bin')
  file.slice = () => ({ arrayBuffer: () => Promise.reject(new DOMException('could not be read', 'NotReadableError')) }) as Blob
  return file
}

describe('manifestOfFile', () => {
  it('hashes a File into the manifest that the same bytes give, one piece-sized slice at a time', async () => {
    const data = randomData(SIZE)
    const { file, sliceSizes } = spiedFile(data)
    const progress: number[] = []
    const manifest = await manifestOfFile(file, (hashed) => progress.push(hashed))
    expect(manifest).toEqual((await manifestFor(data, MIN_PIECE_SIZE, 'picked.bin')).manifest)
    expect(sliceSizes).toEqual([MIN_PIECE_SIZE, MIN_PIECE_SIZE, 12_345])
    expect(progress).toEqual([MIN_PIECE_SIZE, 2 * MIN_PIECE_SIZE, SIZE])
  })

  it('fails with IO and a plain message when the file cannot be read', async () => {
    const failure = await manifestOfFile(unreadableFile(1000)).catch((err: unknown) => err)
    expect(isShoalError(failure, 'IO')).toBe(true)
    expect((failure as Error).message).toBe('gone.bin can no longer be read: was it changed, moved or deleted? Pick it again to share it.')
  })
})

describe('FileChunkStore', () => {
  it('holds every piece and serves blocks from slices of the file', async () => {
    const data = randomData(SIZE)
    const { file, sliceSizes } = spiedFile(data)
    const { manifest } = await manifestFor(data, MIN_PIECE_SIZE)
    const store = new FileChunkStore(file, manifest)
    expect(store.pieceCount).toBe(3)
    expect(store.verified.complete).toBe(true)

    const block = await store.read(1, 16_384, 65_536)
    const start = MIN_PIECE_SIZE + 16_384
    expect(block).toEqual(data.subarray(start, start + 65_536))
    const last = await store.read(2, 0, pieceLength(manifest, 2))
    expect(last).toEqual(data.subarray(2 * MIN_PIECE_SIZE))
    expect(sliceSizes).toEqual([65_536, 12_345])
  })

  it('refuses reads outside a piece and any write', async () => {
    const data = randomData(SIZE)
    const { manifest } = await manifestFor(data, MIN_PIECE_SIZE)
    const store = new FileChunkStore(new File([data as Uint8Array<ArrayBuffer>], 'picked.bin'), manifest)
    await expect(store.read(2, 12_000, 1000)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(store.read(3, 0, 1)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(store.write(0, data.subarray(0, MIN_PIECE_SIZE))).rejects.toMatchObject({ code: 'IO' })
  })

  it('refuses a file of another size than its manifest', async () => {
    const { manifest } = await manifestFor(randomData(1000), MIN_PIECE_SIZE)
    expect(() => new FileChunkStore(new File([new Uint8Array(999)], 'picked.bin'), manifest)).toThrow(/999 bytes/)
  })

  it('reports once that the file became unreadable', async () => {
    const { manifest } = await manifestFor(new Uint8Array(1000), MIN_PIECE_SIZE)
    const reports: string[] = []
    const store = new FileChunkStore(unreadableFile(1000), manifest, { onUnreadable: (err) => reports.push(err.code) })
    await expect(store.read(0, 0, 100)).rejects.toMatchObject({ code: 'IO' })
    await expect(store.read(0, 100, 100)).rejects.toMatchObject({ code: 'IO' })
    expect(reports).toEqual(['IO'])
  })
})
