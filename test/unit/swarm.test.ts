import { describe, expect, it } from 'vitest'
import { type ChunkStore, MemoryChunkStore } from '../../core/chunk-store.ts'
import type { Manifest } from '../../core/manifest.ts'
import { type PeerTraffic, Swarm, type SwarmOptions } from '../../core/swarm.ts'
import { incrementalSha256Node } from '../../worker/hash.ts'
import { memoryTransportPair } from '../../core/transport.ts'
import { MessageType } from '../../core/wire.ts'
import { seededRandom } from '../../sim/random.ts'
import { manifestFor, randomData, sha256Of } from '../support/data.ts'
import { CorruptingStore, FillingStore, StallingStore, filledStore } from '../support/stores.ts'
import { VirtualClock } from '../support/virtual-clock.ts'

const PIECE = 16 * 1024

function join(a: Swarm, b: Swarm, aId: string, bId: string): void {
  const [ta, tb] = memoryTransportPair()
  a.addPeer(ta, bId)
  b.addPeer(tb, aId)
}

function swarmOf(
  manifest: Manifest,
  id: string,
  peerId: string,
  store: ChunkStore = new MemoryChunkStore(manifest.pieces.length),
  options: Partial<SwarmOptions> = {},
): Swarm {
  return new Swarm({ swarmId: id, manifest, store, peerId, blockSize: 4096, pipelineDepth: 8, ...options })
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

  it('counts the traffic with each neighbour (peerStats)', async () => {
    const data = randomData(40 * PIECE + 123)
    const { manifest, id } = await manifestFor(data, PIECE)
    const seedA = swarmOf(manifest, id, 'seed-aaaa', MemoryChunkStore.from(data, PIECE))
    const seedB = swarmOf(manifest, id, 'seed-bbbb', MemoryChunkStore.from(data, PIECE))
    const leecher = swarmOf(manifest, id, 'leech-cccc')
    join(seedA, leecher, 'seed-aaaa', 'leech-cccc')
    join(seedB, leecher, 'seed-bbbb', 'leech-cccc')
    // Read as the download completes: right after, the finished leecher closes both connections.
    const snapshot = new Promise<{ leecher: PeerTraffic[]; seedA: PeerTraffic[]; seedB: PeerTraffic[] }>((resolve) =>
      leecher.once('complete', () => resolve({ leecher: leecher.peerStats(), seedA: seedA.peerStats(), seedB: seedB.peerStats() })),
    )
    const stats = await snapshot
    const byPeer = new Map(stats.leecher.map((p) => [p.peerId, p]))
    expect([...byPeer.keys()].sort()).toEqual(['seed-aaaa', 'seed-bbbb'])
    // What each seeder sent to the leecher is what the leecher received from it, and nothing went back.
    for (const [seedId, [toLeecher]] of [['seed-aaaa', stats.seedA], ['seed-bbbb', stats.seedB]] as const) {
      expect(toLeecher).toMatchObject({ peerId: 'leech-cccc', downloadedBytes: 0 })
      expect(toLeecher!.uploadedBytes).toBe(byPeer.get(seedId)!.downloadedBytes)
      expect(toLeecher!.uploadRate).toBeGreaterThan(0)
    }
    const received = stats.leecher.reduce((sum, p) => sum + p.downloadedBytes, 0)
    expect(received).toBe(leecher.stats().downloadedBytes)
    expect(stats.leecher.every((p) => p.uploadedBytes === 0)).toBe(true)
    for (const s of [seedA, seedB, leecher]) s.destroy()
  })

  it('closes a connection once both ends hold the whole file, and never keeps one between two seeds', async () => {
    const data = randomData(8 * PIECE)
    const { manifest, id } = await manifestFor(data, PIECE)
    const seed = swarmOf(manifest, id, 'seed-dddd', MemoryChunkStore.from(data, PIECE))
    const leecher = swarmOf(manifest, id, 'leech-eeee')
    const closed = (s: Swarm) => new Promise<unknown>((resolve) => s.once('peer-closed', resolve))
    const bothClosed = Promise.all([closed(seed), closed(leecher)])
    join(seed, leecher, 'seed-dddd', 'leech-eeee')
    await completion(leecher)
    expect(await bothClosed).toEqual(['leech-eeee', 'seed-dddd'])
    expect([seed.stats().peers, leecher.stats().peers]).toEqual([0, 0])
    // Two seeds meeting: closed as soon as the bitfields are in.
    const other = swarmOf(manifest, id, 'seed-ffff', MemoryChunkStore.from(data, PIECE))
    const seedsClosed = closed(other)
    join(seed, other, 'seed-dddd', 'seed-ffff')
    expect(await seedsClosed).toBe('seed-dddd')
    expect(sha256Of(await contents(leecher.store, manifest))).toBe(sha256Of(data))
    for (const s of [seed, leecher, other]) s.destroy()
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

  it('announces a piece just before it is whole, and serves the requests that come early once it is verified', async () => {
    const data = randomData(64 * PIECE)
    const { manifest, id } = await manifestFor(data, PIECE)
    const seed = swarmOf(manifest, id, 'seed-0000', MemoryChunkStore.from(data, PIECE))
    const [a, b] = ['l-aaaaaaa', 'l-bbbbbbb'].map((p) => swarmOf(manifest, id, p)) as [Swarm, Swarm]
    join(seed, a, 'seed-0000', 'l-aaaaaaa')
    // B reaches the data only through A; watch what A tells B, and whether A held each piece then.
    const [toB, toA] = memoryTransportPair()
    const early: number[] = []
    let rejects = 0
    const send = toB.send.bind(toB)
    toB.send = (frames) => {
      for (let at = 0; at < frames.length; ) {
        const view = new DataView(frames.buffer, frames.byteOffset + at)
        const type = frames[at + 4]!
        if (type === MessageType.have && !a.store.verified.has(view.getUint32(5))) early.push(view.getUint32(5))
        if (type === MessageType.reject) rejects++
        at += 4 + view.getUint32(0)
      }
      send(frames)
    }
    a.addPeer(toB, 'l-bbbbbbb')
    b.addPeer(toA, 'l-aaaaaaa')
    await Promise.all([a, b].map(completion))
    expect(early.length).toBeGreaterThan(0)
    // Every early have was kept: what B asked for on one was served, never refused.
    expect(rejects).toBe(0)
    for (const l of [a, b]) expect(sha256Of(await contents(l.store, manifest))).toBe(sha256Of(data))
    for (const s of [seed, a, b]) s.destroy()
  })

  it('withdraws what it announced early of a piece that failed verification, and the peers it told still complete', async () => {
    const data = randomData(20 * PIECE)
    const { manifest, id } = await manifestFor(data, PIECE)
    const liar = swarmOf(manifest, id, 'liar-0000', await filledStore(CorruptingStore, data, PIECE))
    const honest = swarmOf(manifest, id, 'honest-00', MemoryChunkStore.from(data, PIECE))
    const relay = swarmOf(manifest, id, 'relay-000')
    const downstream = swarmOf(manifest, id, 'down-0000')
    join(liar, relay, 'liar-0000', 'relay-000')
    join(honest, relay, 'honest-00', 'relay-000')
    join(relay, downstream, 'relay-000', 'down-0000')
    await Promise.all([relay, downstream].map(completion))
    for (const l of [relay, downstream]) expect(sha256Of(await contents(l.store, manifest))).toBe(sha256Of(data))
    expect(relay.isBanned('liar-0000')).toBe(true)
    for (const s of [liar, honest, relay, downstream]) s.destroy()
  })

  it('rations only as an origin: a peer that finished downloading serves every request it gets', async () => {
    const data = randomData(16 * PIECE)
    const { manifest, id } = await manifestFor(data, PIECE)
    /** Two empty leechers download from `source` alone; returns how many requests it refused. */
    const refusalsBy = async (source: Swarm, sourceId: string, round: string) => {
      let refusals = 0
      const ids = [`a-${round}`, `b-${round}`]
      const leechers = ids.map((peerId, i) => swarmOf(manifest, id, peerId, undefined, { random: seededRandom(i + 1) }))
      leechers.forEach((leecher, i) => {
        const [toLeecher, toSource] = memoryTransportPair()
        const send = toLeecher.send.bind(toLeecher)
        toLeecher.send = (frame) => {
          if (frame[4] === MessageType.reject) refusals++
          send(frame)
        }
        source.addPeer(toLeecher, ids[i])
        leecher.addPeer(toSource, sourceId)
      })
      await Promise.all(leechers.map(completion))
      for (const l of leechers) expect(sha256Of(await contents(l.store, manifest))).toBe(sha256Of(data))
      for (const l of leechers) l.destroy()
      return refusals
    }
    // Showing every piece, the origin turns a second request for a piece away
    // while the asker lacks one sent fewer times (distinct-first)...
    const showingAll = swarmOf(manifest, id, 'seed-all', MemoryChunkStore.from(data, PIECE), { random: seededRandom(7), superSeed: false })
    expect(await refusalsBy(showingAll, 'seed-all', 'showing-all')).toBeGreaterThan(0)
    showingAll.destroy()
    // ...and super-seeding, it is asked only for what it offered, and refuses nothing.
    const origin = swarmOf(manifest, id, 'seed-orig', MemoryChunkStore.from(data, PIECE), { random: seededRandom(7), superSeed: true })
    expect(await refusalsBy(origin, 'seed-orig', 'origin')).toBe(0)
    const finished = swarmOf(manifest, id, 'done-peer', undefined, { random: seededRandom(8) })
    join(origin, finished, 'seed-orig', 'done-peer')
    await completion(finished)
    origin.destroy()
    expect(await refusalsBy(finished, 'done-peer', 'finished')).toBe(0)
    finished.destroy()
  })

  it('super-seeds as an origin: an empty bitfield, then a few pieces offered at a time, no piece sent twice before every piece is sent once', async () => {
    const data = randomData(40 * PIECE)
    const { manifest, id } = await manifestFor(data, PIECE)
    // Forced: a file this small is shown whole by default (superSeedPays()).
    const origin = swarmOf(manifest, id, 'seed-orig', MemoryChunkStore.from(data, PIECE), { random: seededRandom(3), superSeed: true })
    const ids = ['a-leecher', 'b-leecher', 'c-leecher']
    const leechers = ids.map((peerId, i) => swarmOf(manifest, id, peerId, undefined, { random: seededRandom(i + 1) }))
    const firstFrames = new Map<string, number[]>()
    /** Pieces in the order the origin began sending them, to anyone. */
    const sends: number[] = []
    leechers.forEach((leecher, i) => {
      const [toLeecher, toOrigin] = memoryTransportPair()
      const send = toLeecher.send.bind(toLeecher)
      toLeecher.send = (frames) => {
        // Control frames are coalesced: walk every frame of the message.
        for (let at = 0; at < frames.length; ) {
          const length = new DataView(frames.buffer, frames.byteOffset + at).getUint32(0)
          const type = frames[at + 4]!
          const seen = firstFrames.get(ids[i]!) ?? []
          if (seen.length < 3) firstFrames.set(ids[i]!, [...seen, type])
          if (type === MessageType.bitfield) expect(frames.subarray(at + 5, at + 4 + length).every((b) => b === 0)).toBe(true)
          if (type === MessageType.block && new DataView(frames.buffer, frames.byteOffset + at).getUint32(9) === 0) {
            sends.push(new DataView(frames.buffer, frames.byteOffset + at).getUint32(5))
          }
          at += 4 + length
        }
        send(frames)
      }
      origin.addPeer(toLeecher, ids[i])
      leecher.addPeer(toOrigin, 'seed-orig')
    })
    join(leechers[0]!, leechers[1]!, ids[0]!, ids[1]!)
    join(leechers[1]!, leechers[2]!, ids[1]!, ids[2]!)
    join(leechers[0]!, leechers[2]!, ids[0]!, ids[2]!)
    await Promise.all(leechers.map(completion))
    for (const l of leechers) expect(sha256Of(await contents(l.store, manifest))).toBe(sha256Of(data))
    for (const frames of firstFrames.values()) expect(frames).toEqual([MessageType.handshake, MessageType.bitfield, MessageType.seed])
    const firstRound = sends.slice(0, manifest.pieces.length)
    expect(new Set(firstRound).size).toBe(firstRound.length)
    // The leechers know the origin for a seed, though it never showed them every piece.
    for (const l of leechers) expect(l.stats().downloadedFromSeeds).toBeGreaterThan(0)
    for (const s of [origin, ...leechers]) s.destroy()
  })

  it.each([
    ['whole pieces', {}],
    ['blocks on arrival', { incrementalHash: incrementalSha256Node }],
  ] as const)('drops corrupt pieces, bans the sender and completes from an honest peer (hashing %s)', async (_mode, hashing) => {
    const data = randomData(20 * PIECE)
    const { manifest, id } = await manifestFor(data, PIECE)
    const corruptStore = await filledStore(CorruptingStore, data, PIECE)
    const liar = swarmOf(manifest, id, 'liar-0000', corruptStore)
    const honest = swarmOf(manifest, id, 'honest-00', MemoryChunkStore.from(data, PIECE))
    const leecher = swarmOf(manifest, id, 'leech-000', undefined, hashing)
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

  it('counts the bytes that came from seeds apart from those a downloading peer relayed', async () => {
    const data = randomData(20 * PIECE)
    const { manifest, id } = await manifestFor(data, PIECE)
    const half = new MemoryChunkStore(manifest.pieces.length)
    for (let p = 0; p < manifest.pieces.length; p += 2) await half.write(p, data.subarray(p * PIECE, (p + 1) * PIECE))
    const partial = swarmOf(manifest, id, 'part-0000', half)
    const leecher = swarmOf(manifest, id, 'leech-000')
    join(partial, leecher, 'part-0000', 'leech-000')
    // First everything the partial peer has (it stays partial: it only ever learns of pieces from the leecher)...
    await new Promise<void>((resolve) => leecher.on('piece', () => leecher.stats().verifiedPieces === 10 && resolve()))
    expect(leecher.stats().downloadedFromSeeds).toBe(0)
    // ...then the rest from a seed.
    const seed = swarmOf(manifest, id, 'seed-0000', MemoryChunkStore.from(data, PIECE))
    join(seed, leecher, 'seed-0000', 'leech-000')
    await completion(leecher)
    const stats = leecher.stats()
    expect(stats.downloadedBytes).toBe(data.length)
    expect(stats.downloadedFromSeeds).toBe(10 * PIECE)
    for (const s of [seed, partial, leecher]) s.destroy()
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

/** Hashing in-thread, so virtual time alone decides what happens when (WebCrypto runs on a thread pool). */
const hashPiece = async (data: Uint8Array) => sha256Of(data)

describe('Swarm timeouts and endgame (virtual clock)', () => {
  it('times out a peer that stops sending, bans it after repeated stalls, and completes from others', async () => {
    const clock = new VirtualClock()
    const data = randomData(24 * PIECE)
    const { manifest, id } = await manifestFor(data, PIECE)
    const stallStore = await filledStore(StallingStore, data, PIECE)
    const make = (peerId: string, store?: ChunkStore) =>
      new Swarm({ swarmId: id, manifest, store: store ?? new MemoryChunkStore(manifest.pieces.length), peerId, clock, blockSize: 4096, hashPiece })
    const staller = make('stall-000', stallStore)
    const leecher = make('leech-000')
    const warnings: string[] = []
    leecher.on('warning', (w) => warnings.push(w.code))
    join(staller, leecher, 'stall-000', 'leech-000')
    // Alone with the staller: its requests time out again and again until it is banned.
    for (let i = 0; i < 60 && !leecher.isBanned('stall-000'); i++) await clock.advance(1000)
    expect(warnings.filter((w) => w === 'TIMEOUT').length).toBeGreaterThanOrEqual(3)
    expect(leecher.isBanned('stall-000')).toBe(true)
    expect(leecher.stats().verifiedPieces).toBe(0)

    // An honest peer arrives and the download completes from it.
    const honest = make('honest-00', MemoryChunkStore.from(data, PIECE))
    join(honest, leecher, 'honest-00', 'leech-000')
    await clock.advance(1000)
    expect(leecher.complete).toBe(true)
    expect(sha256Of(await contents(leecher.store, manifest))).toBe(sha256Of(data))
    for (const s of [staller, honest, leecher]) s.destroy()
  })

  it('in endgame fetches the last pieces from a second peer rather than wait on a stalled one', async () => {
    const clock = new VirtualClock()
    const data = randomData(8 * PIECE)
    const { manifest, id } = await manifestFor(data, PIECE)
    const stallStore = await filledStore(StallingStore, data, PIECE)
    const make = (peerId: string, store?: ChunkStore) =>
      new Swarm({ swarmId: id, manifest, store: store ?? new MemoryChunkStore(manifest.pieces.length), peerId, clock, blockSize: 4096, hashPiece })
    const staller = make('stall-111', stallStore)
    const honest = make('honest-11', MemoryChunkStore.from(data, PIECE))
    const leecher = make('leech-111')
    const warnings: string[] = []
    leecher.on('warning', (w) => warnings.push(w.code))
    join(staller, leecher, 'stall-111', 'leech-111')
    join(honest, leecher, 'honest-11', 'leech-111')
    // Well before any request deadline (5 s at least), endgame has duplicated the stalled pieces.
    await clock.advance(1000)
    expect(leecher.complete).toBe(true)
    expect(warnings).not.toContain('TIMEOUT')
    expect(sha256Of(await contents(leecher.store, manifest))).toBe(sha256Of(data))
    for (const s of [staller, honest, leecher]) s.destroy()
  })
})

describe('Swarm after refusals (virtual clock)', () => {
  it('asks again for a piece once its refusal has expired, with nothing else happening', async () => {
    const clock = new VirtualClock()
    const data = randomData(2 * PIECE)
    const { manifest, id } = await manifestFor(data, PIECE)
    // The seeder fails its first read of each piece, so it rejects those requests.
    const failed = new Set<number>()
    class FlakyStore extends MemoryChunkStore {
      override async read(piece: number, offset: number, length: number): Promise<Uint8Array> {
        if (!failed.has(piece)) {
          failed.add(piece)
          throw new Error('disk hiccup')
        }
        return super.read(piece, offset, length)
      }
    }
    const seeder = new Swarm({ swarmId: id, manifest, store: await filledStore(FlakyStore, data, PIECE), peerId: 'seed-ref0', clock, hashPiece })
    const leecher = new Swarm({ swarmId: id, manifest, store: new MemoryChunkStore(2), peerId: 'leech-ref', clock, hashPiece })
    join(seeder, leecher, 'seed-ref0', 'leech-ref')
    await clock.advance(100)
    expect(failed.size).toBe(2)
    expect(leecher.complete).toBe(false)
    await clock.advance(10_000)
    expect(leecher.complete).toBe(true)
    expect(sha256Of(await contents(leecher.store, manifest))).toBe(sha256Of(data))
    seeder.destroy()
    leecher.destroy()
  })

  it('pauses when the store is full, keeps what it stored, and finishes after resume()', async () => {
    const data = randomData(24 * PIECE)
    const { manifest, id } = await manifestFor(data, PIECE)
    const seeder = swarmOf(manifest, id, 'seed-0000', MemoryChunkStore.from(data, PIECE))
    const store = new FillingStore(manifest.pieces.length)
    store.room = 10
    const leecher = swarmOf(manifest, id, 'leech-000', store)
    const failed = new Promise<string>((resolve) => leecher.once('store-failed', (e) => resolve(e.code)))
    join(seeder, leecher, 'seed-0000', 'leech-000')
    expect(await failed).toBe('STORAGE_FULL')
    expect(leecher.stats()).toMatchObject({ paused: true, verifiedPieces: 10, complete: false })
    // Paused means no requests: the seeder's upload stops growing while the swarm waits.
    const uploaded = seeder.stats().uploadedBytes
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(seeder.stats().uploadedBytes).toBe(uploaded)
    for (const piece of store.verified.indices()) {
      expect(sha256Of(await store.read(piece, 0, PIECE))).toBe(sha256Of(data.subarray(piece * PIECE, (piece + 1) * PIECE)))
    }
    store.room = Infinity
    leecher.resume()
    await completion(leecher)
    expect(sha256Of(await contents(store, manifest))).toBe(sha256Of(data))
    seeder.destroy()
    leecher.destroy()
  })
})
