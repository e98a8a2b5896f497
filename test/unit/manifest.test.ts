import { describe, expect, it } from 'vitest'
import { utf8 } from '../../core/bytes.ts'
import { isShoalError } from '../../core/errors.ts'
import {
  MAX_PIECE_SIZE,
  MIN_PIECE_SIZE,
  choosePieceSize,
  decodeManifest,
  decodeVerifiedManifest,
  encodeManifest,
  manifestId,
  pieceLength,
} from '../../core/manifest.ts'
import { manifestFor, randomData, sha256Of } from '../support/data.ts'

describe('manifest', () => {
  it('hashes every piece, the last one short', async () => {
    const data = randomData(100_000)
    const { manifest } = await manifestFor(data, 32 * 1024)
    expect(manifest.pieces).toHaveLength(4)
    expect(manifest.pieces[0]).toBe(sha256Of(data.subarray(0, 32768)))
    expect(manifest.pieces[3]).toBe(sha256Of(data.subarray(98304)))
    expect(pieceLength(manifest, 3)).toBe(100_000 - 98304)
  })

  it('has an id that is the SHA-256 of its canonical bytes', async () => {
    const { manifest, id } = await manifestFor(randomData(1000), 16 * 1024)
    expect(id).toBe(sha256Of(encodeManifest(manifest)))
    expect(await manifestId({ ...manifest })).toBe(id)
  })

  it('round-trips through decode and verifies against its id', async () => {
    const { manifest, id } = await manifestFor(randomData(70_000), 16 * 1024)
    const decoded = await decodeVerifiedManifest(encodeManifest(manifest), id)
    expect(decoded).toEqual(manifest)
  })

  it('rejects bytes that do not hash to the requested id', async () => {
    const { manifest, id } = await manifestFor(randomData(70_000), 16 * 1024)
    const tampered = encodeManifest({ ...manifest, name: 'evil.bin' })
    await expect(decodeVerifiedManifest(tampered, id)).rejects.toSatisfy((e) => isShoalError(e, 'MANIFEST_ID_MISMATCH'))
  })

  it.each([
    ['not JSON', '{'],
    ['wrong version', '{"version":2,"name":"a","size":0,"pieceSize":16384,"pieces":[]}'],
    ['path in name', '{"version":1,"name":"../etc/passwd","size":0,"pieceSize":16384,"pieces":[]}'],
    ['empty name', '{"version":1,"name":"","size":0,"pieceSize":16384,"pieces":[]}'],
    ['negative size', '{"version":1,"name":"a","size":-1,"pieceSize":16384,"pieces":[]}'],
    ['piece size not a power of two', '{"version":1,"name":"a","size":0,"pieceSize":20000,"pieces":[]}'],
    ['missing piece hashes', '{"version":1,"name":"a","size":20000,"pieceSize":16384,"pieces":[]}'],
    ['bad hash', `{"version":1,"name":"a","size":1,"pieceSize":16384,"pieces":["${'Z'.repeat(64)}"]}`],
    ['non-canonical key order', '{"name":"a","version":1,"size":0,"pieceSize":16384,"pieces":[]}'],
    ['white space', '{"version":1, "name":"a","size":0,"pieceSize":16384,"pieces":[]}'],
  ])('rejects a manifest with %s', (_label, json) => {
    expect(() => decodeManifest(utf8.encode(json))).toThrow(expect.objectContaining({ code: 'BAD_MANIFEST' }))
  })

  it('chooses piece sizes that keep the piece count in the thousands', () => {
    expect(choosePieceSize(0)).toBe(MIN_PIECE_SIZE)
    expect(choosePieceSize(100 * 1024 * 1024)).toBe(MIN_PIECE_SIZE)
    const fiveGb = 5 * 1024 ** 3
    const size = choosePieceSize(fiveGb)
    expect(fiveGb / size).toBeLessThanOrEqual(2048)
    expect(fiveGb / size).toBeGreaterThan(1000)
    expect(choosePieceSize(10 * 1024 ** 4)).toBe(MAX_PIECE_SIZE)
  })
})
