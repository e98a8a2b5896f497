import { describe, expect, it } from 'vitest'
import { PieceDownload } from '../../core/piece-download.ts'
import { incrementalSha256Node } from '../../worker/hash.ts'
import { randomData, sha256Of } from '../support/data.ts'

const BLOCK = 4096

function blocksOf(data: Uint8Array): { offset: number; bytes: Uint8Array }[] {
  const blocks = []
  for (let offset = 0; offset < data.length; offset += BLOCK) blocks.push({ offset, bytes: data.slice(offset, offset + BLOCK) })
  return blocks
}

describe('PieceDownload', () => {
  it('requests the piece block by block, the last one short', () => {
    const download = new PieceDownload(7, 2 * BLOCK + 100, BLOCK)
    const refs = []
    for (let ref = download.nextRequest(); ref; ref = download.nextRequest()) refs.push(ref)
    expect(refs).toEqual([
      { piece: 7, offset: 0, length: BLOCK },
      { piece: 7, offset: BLOCK, length: BLOCK },
      { piece: 7, offset: 2 * BLOCK, length: 100 },
    ])
    expect(download.fullyRequested).toBe(true)
    expect(download.nextLength).toBe(0)
  })

  it('hashes blocks arriving in order as they come, to the same digest as the whole piece', () => {
    const data = randomData(5 * BLOCK + 123)
    const download = new PieceDownload(0, data.length, BLOCK, incrementalSha256Node())
    for (const { offset, bytes } of blocksOf(data)) download.receive(offset, bytes)
    expect(download.complete).toBe(true)
    expect(download.digest()).toBe(sha256Of(data))
  })

  it('holds out-of-order blocks back until the gap before them fills', () => {
    const data = randomData(6 * BLOCK)
    const download = new PieceDownload(0, data.length, BLOCK, incrementalSha256Node())
    const blocks = blocksOf(data)
    for (const i of [2, 0, 5, 3, 1, 4]) download.receive(blocks[i]!.offset, blocks[i]!.bytes)
    expect(download.digest()).toBe(sha256Of(data))
  })

  it('has no digest before it is complete, or without a running hash', () => {
    const data = randomData(3 * BLOCK)
    const hashed = new PieceDownload(0, data.length, BLOCK, incrementalSha256Node())
    const plain = new PieceDownload(0, data.length, BLOCK)
    for (const { offset, bytes } of blocksOf(data).slice(0, 2)) hashed.receive(offset, bytes)
    expect(hashed.digest()).toBeUndefined()
    for (const { offset, bytes } of blocksOf(data)) plain.receive(offset, bytes)
    expect(plain.complete).toBe(true)
    expect(plain.digest()).toBeUndefined()
    expect(plain.data).toEqual(data)
  })
})
