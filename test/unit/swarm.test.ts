import { describe, expect, it } from 'vitest'
import { type ChunkStore, MemoryChunkStore } from '../../core/chunk-store.ts'
import type { Manifest } from '../../core/manifest.ts'
import { Swarm } from '../../core/swarm.ts'
import { memoryTransportPair } from '../../core/transport.ts'
import { manifestFor, randomData, sha256Of } from '../support/data.ts'

const PIECE = 16 * 1024

function join(a: Swarm, b: Swarm, aId: string, bId: string): void {
  const [ta, tb] = memoryTransportPair()
  a.addPeer(ta, bId)
  b.addPeer(tb, aId)
}

function swarmOf(manifest: Manifest, id: string, peerId: string, store: ChunkStore = new MemoryChunkStore(manifest.pieces.length)): Swarm {
  return new Swarm({ swarmId: id, manifest, store, peerId, blockSize: 4096, pipelineDepth: 8 })
}

async function contents(store: ChunkStore, manifest: Manifest): Promise<Uint8Array> {
  const out = new Uint8Array(manifest.size)
  for (let p = 0; p < manifest.pieces.length; p++) {
    const length = Math.min(manifest.pieceSize, manifest.size - p * manifest.pieceSize)
    out.set(await store.read(p, 0, length), p * manifest.pieceSize)
  }
  return out
}

const completion = (s: Swarm) => new Promise<void>((resolve) => (s.complete ? resolve() : s.once('complete', resolve)))

/** Serves corrupt bytes for every read: a peer sending bad blocks. */
class CorruptingStore extends MemoryChunkStore {
  override async read(piece: number, offset: number, length: number): Promise<Uint8Array> {
    const data = (await super.read(piece, offset, length)).slice()
    data[0]! ^= 0xff
    return data
  }
}

describe('Swarm over in-memory transports', () => {
  it('downloads from several peers at once and ends byte-identical', async () => {
    const data = randomData(40 * PIECE + 123)
    const { manifest, id } = await manifestFor(data, PIECE)
    const seedA = swarmOf(manifest, id, 'seed-aaaa', MemoryChunkStore.from(data, PIECE))
    const seedB = swarmOf(manifest, id, 'seed-bbbb', MemoryChunkStore.from(data, PIECE))
    const leecher = swarmOf(manifest, id, 'leech-cccc')
    join(seedA, leecher, 'seed-aaaa', 'leech-cccc')
    join(seedB, leecher, 'seed-bbbb', 'leech-cccc')
    await completion(leecher)
    expect(sha256Of(await contents(leecher.store, manifest))).toBe(sha256Of(data))
    const upA = seedA.stats().uploadedBytes
    const upB = seedB.stats().uploadedBytes
    expect(upA + upB).toBeGreaterThanOrEqual(data.length)
    expect(upA).toBeGreaterThan(0)
    expect(upB).toBeGreaterThan(0)
    for (const s of [seedA, seedB, leecher]) s.destroy()
  })

  it('relays pieces as they verify: a chain seed -> A -> B -> C completes', async () => {
    const data = randomData(64 * PIECE)
    const { manifest, id } = await manifestFor(data, PIECE)
    const seed = swarmOf(manifest, id, 'seed-0000', MemoryChunkStore.from(data, PIECE))
    const ids = ['l-1111111', 'l-2222222', 'l-3333333']
    const [a, b, c] = ids.map((p) => swarmOf(manifest, id, p)) as [Swarm, Swarm, Swarm]
    // C reaches the data only through B, and B only through A.
    join(seed, a, 'seed-0000', ids[0]!)
    join(a, b, ids[0]!, ids[1]!)
    join(b, c, ids[1]!, ids[2]!)
    await Promise.all([a, b, c].map(completion))
    for (const l of [a, b, c]) expect(sha256Of(await contents(l.store, manifest))).toBe(sha256Of(data))
    expect(seed.stats().uploadedBytes).toBe(data.length)
    expect(a.stats().uploadedBytes).toBe(data.length)
    expect(b.stats().uploadedBytes).toBe(data.length)
    for (const s of [seed, a, b, c]) s.destroy()
  })

  it('drops corrupt pieces, bans the sender and completes from an honest peer', async () => {
    const data = randomData(20 * PIECE)
    const { manifest, id } = await manifestFor(data, PIECE)
    const corruptStore = new CorruptingStore(manifest.pieces.length)
    for (let p = 0; p < manifest.pieces.length; p++) await corruptStore.write(p, data.slice(p * PIECE, (p + 1) * PIECE))
    const liar = swarmOf(manifest, id, 'liar-0000', corruptStore)
    const honest = swarmOf(manifest, id, 'honest-00', MemoryChunkStore.from(data, PIECE))
    const leecher = swarmOf(manifest, id, 'leech-000')
    const warnings: string[] = []
    leecher.on('warning', (e) => warnings.push(e.code))
    join(liar, leecher, 'liar-0000', 'leech-000')
    join(honest, leecher, 'honest-00', 'leech-000')
    await completion(leecher)
    expect(sha256Of(await contents(leecher.store, manifest))).toBe(sha256Of(data))
    expect(warnings).toContain('PIECE_HASH_MISMATCH')
    expect(leecher.isBanned('liar-0000')).toBe(true)
    expect(leecher.hasPeer('liar-0000')).toBe(false)
    for (const s of [liar, honest, leecher]) s.destroy()
  })

  it('refuses a peer whose handshake names another swarm', async () => {
    const data = randomData(4 * PIECE)
    const { manifest, id } = await manifestFor(data, PIECE)
    const other = await manifestFor(randomData(4 * PIECE), PIECE)
    const seed = swarmOf(other.manifest, other.id, 'seed-xxxx', MemoryChunkStore.from(data, PIECE))
    const leecher = swarmOf(manifest, id, 'leech-yyyy')
    const closed = new Promise<Error | undefined>((resolve) => leecher.once('peer-closed', (_id, reason) => resolve(reason)))
    join(seed, leecher, 'seed-xxxx', 'leech-yyyy')
    expect(await closed).toMatchObject({ code: 'PROTOCOL' })
    expect(leecher.stats().verifiedPieces).toBe(0)
    seed.destroy()
    leecher.destroy()
  })
})
