/**
 * Two real `shoal serve --redis` processes over a real redis-server, with real `shoal` peers over
 * WebRTC: a seeder on tracker A serves a downloader on tracker B, byte for byte; then A crashes
 * (SIGKILL), and B goes on serving the swarm: the peers that were on A age out of B's handouts
 * after the peer TTL, and a newcomer on B downloads from the peer that stayed on B.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { randomHex } from '../../core/bytes.ts'
import { TrackerClient } from '../../core/client/tracker-client.ts'
import { type CliRun, runCli } from '../support/cli.ts'
import { randomData, sha256Of } from '../support/data.ts'
import { type RedisServer, redisServerAvailable, startRedisServer } from '../support/redis-server.ts'

const MiB = 1024 * 1024
/** Short, so the test need not wait long for a crashed tracker's peers to age out; still longer than the 10 s announce interval. */
const PEER_TTL_SECONDS = 15

let redis: RedisServer
let dir: string
const runs: CliRun[] = []

function shoal(args: string[]): CliRun {
  const run = runCli(args)
  runs.push(run)
  return run
}

async function stop(run: CliRun, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return
  run.child.kill(signal)
  await run.exit
}

beforeAll(async () => {
  if (!redisServerAvailable) return
  redis = await startRedisServer()
  dir = await mkdtemp(join(tmpdir(), 'shoal-redis-scale-out-'))
})

afterAll(async () => {
  // Ours alone, by process: whatever a failed assertion left running.
  await Promise.all(runs.map((run) => stop(run, 'SIGKILL')))
  await redis?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe.skipIf(!redisServerAvailable)('shoal serve --redis: two tracker processes as one', () => {
  it('hands a file from a seeder on A to a downloader on B; after A crashes, B keeps serving the swarm', { timeout: 240_000 }, async () => {
    const serveArgs = ['serve', '--port', '0', '--redis', redis.url, '--peer-ttl', String(PEER_TTL_SECONDS), '--log-level', 'warn']
    const [serveA, serveB] = [shoal(serveArgs), shoal(serveArgs)]
    const [listeningA, listeningB] = await Promise.all([serveA.waitFor('listening'), serveB.waitFor('listening')])
    expect(listeningA).toMatchObject({ redis: true })
    const [urlA, urlB] = [String(listeningA.url), String(listeningB.url)]
    expect(urlA).not.toBe(urlB)

    const data = randomData(8 * MiB)
    const source = join(dir, 'source.bin')
    await writeFile(source, data)
    const seeder = shoal(['seed', source, '--tracker', urlA])
    const seeding = await seeder.waitFor('seeding')
    const id = String(seeding.id)
    const seederPeer = String(seeding.peerId)

    // The manifest was published on A; B fetches it from Redis, and relays the WebRTC signals
    // between its downloader and A's seeder through the Redis adapter.
    const first = shoal(['get', id, '--tracker', urlB, '-o', join(dir, 'first.bin'), '--keep-seeding'])
    expect((await first.waitFor('done')).sha256).toBe(sha256Of(data))
    const firstPeer = String((await first.waitFor('seeding')).peerId)

    // A bystander on B watches the swarm's handouts (complete, so no seeder tries to connect to it).
    const observer = await TrackerClient.connect(urlB)
    const observerPeer = `peer-${randomHex(6)}`
    const swarmSeenFromB = async () =>
      (await observer.announce({ swarm: id, peerId: observerPeer, pieces: 0, complete: true })).map((p) => p.peerId).sort()
    try {
      expect(await swarmSeenFromB()).toEqual([seederPeer, firstPeer].sort())

      await stop(serveA, 'SIGKILL')
      // A crash removes nobody: A's seeder stays in the shared swarm until it ages out...
      expect(await swarmSeenFromB()).toContain(seederPeer)
      const crashedAt = Date.now()
      // ...which takes at most the peer TTL after its last announce, while B's peer, re-announcing, stays.
      await vi.waitFor(async () => expect(await swarmSeenFromB()).toEqual([firstPeer]), {
        timeout: (PEER_TTL_SECONDS + 15) * 1000,
        interval: 1000,
      })
      expect(Date.now() - crashedAt).toBeLessThan((PEER_TTL_SECONDS + 10) * 1000)
      await observer.leave(id)
    } finally {
      observer.close()
    }

    // The seeder (still running, its tracker gone) stops; the peer on B is the only source left.
    await stop(seeder)
    const second = shoal(['get', id, '--tracker', urlB, '-o', join(dir, 'second.bin')])
    expect((await second.waitFor('done')).sha256).toBe(sha256Of(data))
    expect((await second.exit).code).toBe(0)

    await stop(first)
    await stop(serveB)
    expect((await serveB.exit).code).toBe(0)
  })

  it('refuses to start when Redis is unreachable: TRACKER_ERROR, exit 1, no stack trace', async () => {
    const serve = shoal(['serve', '--port', '0', '--redis', 'redis://127.0.0.1:1'])
    const error = await serve.waitFor('error')
    expect(error).toMatchObject({ code: 'TRACKER_ERROR' })
    expect(String(error.message)).toContain('could not connect to Redis at redis://127.0.0.1:1')
    const { code, stderr } = await serve.exit
    expect(code).toBe(1)
    expect(stderr).not.toMatch(/\n\s+at /)
  })
})
