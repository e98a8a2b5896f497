/**
 * Real transfers: the real tracker, real `shoal` processes and in-process Node peers, all over
 * WebRTC (@roamhq/wrtc). Every result is checked by SHA-256 against what was sent.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryChunkStore } from '../../core/chunk-store.ts'
import { joinSwarm } from '../../core/client/join-swarm.ts'
import { TrackerClient } from '../../core/client/tracker-client.ts'
import { type TrackerServer, startTrackerServer } from '../../signaling/server.ts'
import { PARTIAL_SUFFIX } from '../../worker/file-store.ts'
import { loadWrtc } from '../../worker/wrtc.ts'
import { runCli } from '../support/cli.ts'
import { manifestFor, randomData, sha256Of } from '../support/data.ts'
import { CorruptingStore, filledStore } from '../support/stores.ts'

const MiB = 1024 * 1024

let server: TrackerServer
let dir: string

beforeAll(async () => {
  server = await startTrackerServer({ port: 0 })
  dir = await mkdtemp(join(tmpdir(), 'shoal-transfer-'))
})

afterAll(async () => {
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('transfers over WebRTC', () => {
  it('a 32 MiB file seeded by `shoal seed` reaches 3 `shoal get` leechers byte-identical', async () => {
    const data = randomData(32 * MiB)
    const source = join(dir, 'big.bin')
    await writeFile(source, data)
    const seeder = runCli(['seed', source, '--tracker', server.url])
    const { link, id } = await seeder.waitFor('seeding')
    expect(link).toBe(`${server.url}/s/${id}`)

    const leechers = [1, 2, 3].map((i) => runCli(['get', String(link), '-o', join(dir, `copy-${i}.bin`)]))
    const results = await Promise.all(leechers.map((l) => l.waitFor('done')))
    for (const [i, done] of results.entries()) {
      expect(done.sha256).toBe(sha256Of(data))
      expect(sha256Of(await readFile(join(dir, `copy-${i + 1}.bin`)))).toBe(sha256Of(data))
      expect(done.size).toBe(data.length)
    }
    for (const l of leechers) expect((await l.exit).code).toBe(0)

    seeder.child.kill('SIGTERM')
    const stopped = await seeder.waitFor('stopped')
    expect((await seeder.exit).code).toBe(0)
    expect(stopped.uploaded as number).toBeGreaterThan(0)
  })

  it('drops corrupt blocks, bans the peer that sent them and completes from honest peers', async () => {
    const pieceSize = 64 * 1024
    const data = randomData(4 * MiB)
    const { manifest, id, json } = await manifestFor(data, pieceSize, 'corrupt-test.bin')
    const clients = await Promise.all([0, 1, 2].map(() => TrackerClient.connect(server.url)))
    const [liarClient, honestClient, leechClient] = clients as [TrackerClient, TrackerClient, TrackerClient]
    expect(await liarClient.publishManifest(json)).toBe(id)

    const liarStore = await filledStore(CorruptingStore, data, pieceSize)

    const wrtc = loadWrtc()
    const liar = await joinSwarm({ signaling: liarClient, swarmId: id, manifest, store: liarStore, wrtc })
    const store = new MemoryChunkStore(manifest.pieces.length)
    const leech = await joinSwarm({ signaling: leechClient, swarmId: id, manifest, store, wrtc })
    const warnings: string[] = []
    leech.swarm.on('warning', (w) => warnings.push(w.code))
    // Only the liar is there at first, so the leech must meet its corrupt data.
    await new Promise<void>((resolve) => leech.swarm.on('peer-closed', (peerId) => peerId === liar.peerId && resolve()))
    expect(store.verified.count).toBe(0)
    const completed = new Promise<void>((resolve) => leech.swarm.once('complete', resolve))
    const honest = await joinSwarm({ signaling: honestClient, swarmId: id, manifest, store: MemoryChunkStore.from(data, pieceSize), wrtc })
    await completed

    const received = new Uint8Array(data.length)
    for (let p = 0; p < manifest.pieces.length; p++) {
      const length = Math.min(pieceSize, data.length - p * pieceSize)
      received.set(await store.read(p, 0, length), p * pieceSize)
    }
    expect(sha256Of(received)).toBe(sha256Of(data))
    // The liar did send data, every byte of it was rejected, and it is banned.
    expect(liar.swarm.stats().uploadedBytes).toBeGreaterThan(0)
    expect(warnings).toContain('PIECE_HASH_MISMATCH')
    expect(leech.swarm.isBanned(liar.peerId)).toBe(true)

    for (const joined of [liar, honest, leech]) await joined.leave()
    for (const client of clients) client.close()
  })

  it('resumes a partial download, fetching only the pieces it lacks', async () => {
    // An odd size, so the last piece ends in a short block.
    const data = randomData(8 * MiB + 12_345)
    const source = join(dir, 'resume.bin')
    await writeFile(source, data)
    const seeder = runCli(['seed', source, '--tracker', server.url])
    const { link } = await seeder.waitFor('seeding')
    const target = join(dir, 'resume-copy.bin')
    // An earlier run left the first 3 MiB in place (plus garbage that must not be trusted).
    const partial = new Uint8Array(data.length)
    partial.set(data.subarray(0, 3 * MiB))
    partial.fill(7, 6 * MiB, 7 * MiB)
    await writeFile(target + PARTIAL_SUFFIX, partial)

    const leech = runCli(['get', String(link), '-o', target])
    const done = await leech.waitFor('done')
    expect(done.sha256).toBe(sha256Of(data))
    expect(done.downloaded).toBe(data.length - 3 * MiB)
    expect(sha256Of(await readFile(target))).toBe(sha256Of(data))

    seeder.child.kill('SIGINT')
    const stopped = await seeder.waitFor('stopped')
    expect(stopped.uploaded).toBe(data.length - 3 * MiB)
  })
})
