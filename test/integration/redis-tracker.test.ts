/**
 * Two tracker processes' worth of servers (in this process, on their own ports) sharing one real
 * Redis started by the test: membership, peer-id ownership, manifests and signal relay all work
 * across them; an unreachable Redis stops a tracker before it listens; a Redis restart costs
 * failed answers while it is away, not the tracker. Separate deployments would use separate key
 * prefixes; each test uses its own, so none sees another's state.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { randomHex } from '../../core/bytes.ts'
import { isShoalError } from '../../core/errors.ts'
import { startTrackerServer } from '../../signaling/server.ts'
import type { TrackerServer, TrackerServerOptions } from '../../signaling/server.ts'
import { manifestFor, randomData } from '../support/data.ts'
import { type RedisServer, redisServerAvailable, startRedisServer } from '../support/redis-server.ts'
import { expectCode, nextSignal } from '../support/tracker-expect.ts'
import { trackerSockets } from '../support/tracker-sockets.ts'

const newSwarm = () => randomHex(32)
const newPeer = () => `peer-${randomHex(6)}`

let redis: RedisServer
const cleanups: Array<() => unknown> = []
const { connect, rawSocket } = trackerSockets(cleanups)
const handlerErrors: unknown[] = []

beforeAll(async () => {
  if (redisServerAvailable) redis = await startRedisServer()
})
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})
afterAll(async () => {
  await redis?.close()
})

/** Two trackers sharing the Redis under a prefix of their own. */
async function startPair(options: TrackerServerOptions = {}): Promise<[TrackerServer, TrackerServer]> {
  const keyPrefix = `test-${randomHex(4)}:`
  const start = async () => {
    const server = await startTrackerServer({ port: 0, onError: (err) => handlerErrors.push(err), redis: { url: redis.url, keyPrefix }, ...options })
    cleanups.push(() => server.close())
    return server
  }
  return [await start(), await start()]
}

describe.skipIf(!redisServerAvailable)('two trackers over one Redis', () => {
  afterAll(() => expect(handlerErrors).toEqual([]))

  it('share swarm membership: joins, updates, leaves and disconnects show on the other', async () => {
    const [a, b] = await startPair()
    const swarm = newSwarm()
    const [onA, onB] = [await connect(a), await connect(b)]
    const [idA, idB] = [newPeer(), newPeer()]
    expect(await onA.announce({ swarm, peerId: idA, pieces: 0, complete: false })).toEqual([])
    expect(await onB.announce({ swarm, peerId: idB, pieces: 9, complete: true })).toEqual([{ peerId: idA, pieces: 0, complete: false }])
    await onA.announce({ swarm, peerId: idA, pieces: 4, complete: false })
    expect(await onB.announce({ swarm, peerId: idB, pieces: 9, complete: true })).toEqual([{ peerId: idA, pieces: 4, complete: false }])

    await onB.leave(swarm)
    expect(await onA.announce({ swarm, peerId: idA, pieces: 4, complete: false })).toEqual([])
    await onB.announce({ swarm, peerId: idB, pieces: 9, complete: true })
    onA.close()
    // A's cleanup reaches Redis shortly after its connection closes.
    await vi.waitFor(async () => expect(await onB.announce({ swarm, peerId: idB, pieces: 9, complete: true })).toEqual([]))
  })

  it('hand out peers that reported full, on either tracker, after those with room', async () => {
    const [a, b] = await startPair()
    const swarm = newSwarm()
    const [fullOnA, roomOnA, roomOnB, asker] = [await connect(a), await connect(a), await connect(b), await connect(b)]
    const [idFull, idRoomA, idRoomB] = [newPeer(), newPeer(), newPeer()]
    await fullOnA.announce({ swarm, peerId: idFull, pieces: 0, complete: false })
    await roomOnA.announce({ swarm, peerId: idRoomA, pieces: 0, complete: false, full: true })
    await roomOnB.announce({ swarm, peerId: idRoomB, pieces: 0, complete: false })
    await fullOnA.room({ swarm, full: true })
    await roomOnA.room({ swarm, full: false })
    const handed = (await asker.announce({ swarm, peerId: newPeer(), pieces: 0, complete: false })).map((p) => p.peerId)
    expect(handed.slice(0, 2).sort()).toEqual([idRoomA, idRoomB].sort())
    expect(handed[2]).toBe(idFull)
    await expectCode(asker.room({ swarm: newSwarm(), full: true }), 'NOT_ADMITTED')
  })

  it('relay signals between peers on different trackers, and only between peers sharing a swarm', async () => {
    const [a, b] = await startPair()
    const [mine, theirs, shared] = [newSwarm(), newSwarm(), newSwarm()]
    const [onA, onB] = [await connect(a), await connect(b)]
    const [idA, idB] = [newPeer(), newPeer()]
    await onA.announce({ swarm: mine, peerId: idA, pieces: 0, complete: false })
    await onB.announce({ swarm: theirs, peerId: idB, pieces: 0, complete: false })
    const firstAtB = nextSignal(onB)
    await expectCode(onA.signal(mine, idB, { leaked: 1 }), 'NOT_FOUND')
    await expectCode(onA.signal(theirs, idB, { leaked: 2 }), 'NOT_ADMITTED')

    await onA.announce({ swarm: shared, peerId: idA, pieces: 0, complete: false })
    await onB.announce({ swarm: shared, peerId: idB, pieces: 0, complete: false })
    await onA.signal(shared, idB, { type: 'offer', sdp: 'v=0' })
    // The first signal B receives is the allowed one: nothing refused was relayed.
    expect(await firstAtB).toEqual({ swarm: shared, from: idA, data: { type: 'offer', sdp: 'v=0' } })
    const atA = nextSignal(onA)
    await onB.signal(shared, idA, { type: 'answer', sdp: 'v=0' })
    expect(await atA).toEqual({ swarm: shared, from: idB, data: { type: 'answer', sdp: 'v=0' } })
  })

  it('fetch on one tracker the manifest published on the other', async () => {
    const [a, b] = await startPair()
    const { manifest, json, id } = await manifestFor(randomData(100_000), 16 * 1024)
    expect(await (await connect(a)).publishManifest(json)).toBe(id)
    expect(await (await connect(b)).fetchManifest(id)).toEqual(manifest)
  })

  it('refuse a peer id held on the other tracker, unless its own session key takes it over there', async () => {
    const [a, b] = await startPair()
    const swarm = newSwarm()
    const id = newPeer()
    await (await connect(a)).announce({ swarm, peerId: id, pieces: 0, complete: false })
    await expectCode((await connect(b)).announce({ swarm, peerId: id, pieces: 0, complete: false }), 'NOT_ADMITTED')

    // A client whose connection to A is half dead comes back through B with its session key:
    // it takes its id over, and A drops the stale connection.
    const sessionKey = randomHex(16)
    const returning = newPeer()
    const stale = await rawSocket(a, { sessionKey })
    expect(await stale.emitWithAck('announce', { swarm, peerId: returning, pieces: 0, complete: false })).toMatchObject({ ok: true })
    const staleDropped = new Promise((resolve) => stale.once('disconnect', resolve))
    const fresh = await rawSocket(b, { sessionKey })
    expect(await fresh.emitWithAck('announce', { swarm, peerId: returning, pieces: 1, complete: false })).toMatchObject({ ok: true })
    expect(await staleDropped).toBe('io server disconnect')
    const observer = await connect(a)
    const peers = await observer.announce({ swarm, peerId: newPeer(), pieces: 0, complete: false })
    expect(peers.filter((p) => p.peerId === returning)).toEqual([{ peerId: returning, pieces: 1, complete: false }])
  })
})

describe.skipIf(!redisServerAvailable)('a tracker and its Redis', () => {
  it('refuses to start without a reachable Redis, a valid URL, or a TTL longer than the announce interval', async () => {
    const unreachable = await startTrackerServer({ port: 0, redis: { url: 'redis://:hunter2@127.0.0.1:1', connectTimeoutMs: 2000 } }).then(
      () => expect.unreachable('started without Redis'),
      (e: unknown) => e,
    )
    expect(isShoalError(unreachable, 'TRACKER_ERROR')).toBe(true)
    expect((unreachable as Error).message).toMatch(/could not connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1.*ECONNREFUSED/)
    expect((unreachable as Error).message).not.toContain('hunter2')

    for (const redisOptions of [{ url: 'http://127.0.0.1:6379' }, { url: redis.url, memberTtlMs: 10_000 }]) {
      const err = await startTrackerServer({ port: 0, redis: redisOptions }).then(
        () => expect.unreachable(JSON.stringify(redisOptions)),
        (e: unknown) => e,
      )
      expect(isShoalError(err, 'BAD_INPUT'), String(err)).toBe(true)
    }
  })

  it('answers TRACKER_ERROR while Redis is away, and serves across trackers again once it is back', { timeout: 60_000 }, async () => {
    const errors: unknown[] = []
    const [a, b] = await startPair({ onError: (err) => errors.push(err) })
    const swarm = newSwarm()
    const [onA, onB] = [await connect(a), await connect(b)]
    const [idA, idB] = [newPeer(), newPeer()]
    await onA.announce({ swarm, peerId: idA, pieces: 0, complete: false })

    await redis.stop()
    await expectCode(onB.announce({ swarm, peerId: idB, pieces: 0, complete: false }), 'TRACKER_ERROR')
    expect((await fetch(`${b.url}/healthz`)).status).toBe(200)
    expect(errors.length).toBeGreaterThan(0)

    // An empty Redis comes back (nothing was saved): the peers' next announces fill it again.
    await redis.restart()
    await vi.waitFor(async () => expect(await onB.announce({ swarm, peerId: idB, pieces: 0, complete: false })).toEqual([]), {
      timeout: 20_000,
      interval: 500,
    })
    expect(await onA.announce({ swarm, peerId: idA, pieces: 0, complete: false })).toEqual([{ peerId: idB, pieces: 0, complete: false }])
    // The adapter resubscribed: signals cross between the trackers again.
    await vi.waitFor(
      async () => {
        const received = nextSignal(onB)
        await onA.signal(swarm, idB, { again: true })
        expect(await Promise.race([received, new Promise((resolve) => setTimeout(resolve, 500))])).toEqual({ swarm, from: idA, data: { again: true } })
      },
      { timeout: 20_000, interval: 500 },
    )
  })
})
