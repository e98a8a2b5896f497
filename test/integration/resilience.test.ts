/**
 * Downloads survive bad peers over real WebRTC: one that stalls, one that vanishes mid-piece;
 * and a rate-limited seeder keeps to its cap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryChunkStore } from '../../core/chunk-store.ts'
import { type JoinedSwarm, joinSwarm } from '../../core/client/join-swarm.ts'
import { TrackerClient } from '../../core/client/tracker-client.ts'
import type { Manifest } from '../../core/manifest.ts'
import { TokenBucket } from '../../core/token-bucket.ts'
import { type TrackerServer, startTrackerServer } from '../../signaling/server.ts'
import { loadWrtc } from '../../worker/wrtc.ts'
import { manifestFor, randomData, sha256Of } from '../support/data.ts'
import { StallingStore, filledStore } from '../support/stores.ts'

const MiB = 1024 * 1024
const PIECE = 256 * 1024

let server: TrackerServer
const clients: TrackerClient[] = []
const joined: JoinedSwarm[] = []

beforeAll(async () => {
  server = await startTrackerServer({ port: 0 })
})

afterAll(async () => {
  for (const j of joined) await j.leave()
  for (const c of clients) c.close()
  await server?.close()
})

async function peer(manifest: Manifest, id: string, store: MemoryChunkStore, swarm: Parameters<typeof joinSwarm>[0]['swarm'] = {}) {
  const client = await TrackerClient.connect(server.url)
  clients.push(client)
  const j = await joinSwarm({ signaling: client, swarmId: id, manifest, store, wrtc: loadWrtc(), swarm })
  joined.push(j)
  return j
}

async function published(data: Uint8Array, name: string) {
  const result = await manifestFor(data, PIECE, name)
  const client = await TrackerClient.connect(server.url)
  await client.publishManifest(result.json)
  client.close()
  return result
}

async function bytesOf(store: MemoryChunkStore, manifest: Manifest): Promise<Uint8Array> {
  const out = new Uint8Array(manifest.size)
  for (let p = 0; p < manifest.pieces.length; p++) {
    out.set(await store.read(p, 0, Math.min(PIECE, manifest.size - p * PIECE)), p * PIECE)
  }
  return out
}

const completion = (j: JoinedSwarm) => new Promise<void>((resolve) => (j.swarm.complete ? resolve() : j.swarm.once('complete', resolve)))

describe('resilience over WebRTC', () => {
  it('a peer that stalls does not stop the download', async () => {
    const data = randomData(4 * MiB)
    const { manifest, id } = await published(data, 'stall.bin')
    const staller = await peer(manifest, id, await filledStore(StallingStore, data, PIECE))
    const store = new MemoryChunkStore(manifest.pieces.length)
    const leech = await peer(manifest, id, store)
    await new Promise<void>((resolve) => leech.swarm.once('peer-ready', () => resolve()))
    await peer(manifest, id, MemoryChunkStore.from(data, PIECE))
    await completion(leech)
    expect(sha256Of(await bytesOf(store, manifest))).toBe(sha256Of(data))
    expect(staller.swarm.stats().uploadedBytes).toBe(0)
  })

  it('a peer that disappears mid-piece does not stop the download', async () => {
    const data = randomData(8 * MiB)
    const { manifest, id } = await published(data, 'vanish.bin')
    // The vanishing peer dies after serving a few blocks, in the middle of a piece.
    let reads = 0
    let vanish: () => void = () => {}
    const vanished = new Promise<void>((resolve) => (vanish = resolve))
    class VanishingStore extends MemoryChunkStore {
      override async read(piece: number, offset: number, length: number): Promise<Uint8Array> {
        if (++reads === 6) vanish()
        return super.read(piece, offset, length)
      }
    }
    const leaver = await peer(manifest, id, await filledStore(VanishingStore, data, PIECE))
    const store = new MemoryChunkStore(manifest.pieces.length)
    const leech = await peer(manifest, id, store)
    await vanished
    await leaver.leave()
    expect(leech.swarm.complete).toBe(false)
    expect(leech.swarm.stats().downloadedBytes).toBeGreaterThan(0)
    await peer(manifest, id, MemoryChunkStore.from(data, PIECE))
    await completion(leech)
    expect(sha256Of(await bytesOf(store, manifest))).toBe(sha256Of(data))
  })

  it('a rate-limited seeder never exceeds its cap by more than one burst', async () => {
    const data = randomData(3 * MiB)
    const { manifest, id } = await published(data, 'limited.bin')
    const limiter = new TokenBucket({ rate: 1_000_000 })
    const seeder = await peer(manifest, id, MemoryChunkStore.from(data, PIECE), { uploadLimiter: limiter })
    const samples: { at: number; bytes: number }[] = []
    const sample = () => samples.push({ at: performance.now(), bytes: seeder.swarm.stats().uploadedBytes })
    sample()
    const timer = setInterval(sample, 20)
    const leech = await peer(manifest, id, new MemoryChunkStore(manifest.pieces.length))
    await completion(leech)
    clearInterval(timer)
    sample()
    // Every window between two samples: bytes sent <= rate x duration + burst.
    for (let i = 0; i < samples.length; i++) {
      for (let j = i + 1; j < samples.length; j++) {
        const sent = samples[j]!.bytes - samples[i]!.bytes
        const allowed = (limiter.rate * (samples[j]!.at - samples[i]!.at)) / 1000 + limiter.burst
        expect(sent).toBeLessThanOrEqual(allowed)
      }
    }
    expect(samples.at(-1)!.bytes).toBeGreaterThanOrEqual(data.length)
  })
})
