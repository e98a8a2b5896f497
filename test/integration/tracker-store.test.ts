/**
 * One conformance suite for every TrackerStore: in memory, and in a real Redis (started by the
 * test). Then what only the Redis store does: entries expire when nobody renews them, which is
 * how a crashed process's peers age out. Its clock is injected, so expiry needs no waiting.
 */
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomHex } from '../../core/bytes.ts'
import { redisKeys } from '../../signaling/redis/keys.ts'
import { connectRedisScaleOut } from '../../signaling/redis/scale-out.ts'
import type { RedisScaleOut } from '../../signaling/redis/scale-out.ts'
import { memoryTrackerStore } from '../../signaling/tracker-store.ts'
import type { TrackerStore } from '../../signaling/tracker-store.ts'
import { type RedisServer, redisServerAvailable, startRedisServer } from '../support/redis-server.ts'

const newSwarm = () => randomHex(32)
const newPeer = () => `peer-${randomHex(6)}`
const TTL_MS = 30_000
const MANIFEST_LIMITS = { maxCount: 2, maxBytes: 1000 }

let redis: RedisServer | undefined
const opened: RedisScaleOut[] = []

beforeAll(async () => {
  if (redisServerAvailable) redis = await startRedisServer()
})

afterAll(async () => {
  for (const scaleOut of opened) scaleOut.close()
  await redis?.close()
})

interface Clock {
  now: number
}

async function redisStore(clock: Clock = { now: Date.now() }, prefix = `test-${randomHex(4)}:`): Promise<TrackerStore> {
  const scaleOut = await connectRedisScaleOut({ url: redis!.url, keyPrefix: prefix, memberTtlMs: TTL_MS, manifestTtlMs: TTL_MS, now: () => clock.now }, MANIFEST_LIMITS)
  opened.push(scaleOut)
  return scaleOut.store
}

const implementations: Array<{ name: string; skip: boolean; make: () => Promise<TrackerStore> }> = [
  { name: 'memory', skip: false, make: async () => memoryTrackerStore({ manifests: MANIFEST_LIMITS }) },
  { name: 'redis', skip: !redisServerAvailable, make: () => redisStore() },
]

describe.each(implementations)('$name store', ({ skip, make }) => {
  it.skipIf(skip)('keeps swarm members, hands out the others, removes only through the right connection', async () => {
    const { swarms } = await make()
    const swarm = newSwarm()
    const [a, b, c] = [newPeer(), newPeer(), newPeer()]
    await swarms.upsert(swarm, { peerId: a, socketId: 'sa', pieces: 0, complete: false })
    await swarms.upsert(swarm, { peerId: b, socketId: 'sb', pieces: 9, complete: true })
    await swarms.upsert(swarm, { peerId: c, socketId: 'sc', pieces: 3, complete: false })
    expect(await swarms.get(swarm, b)).toEqual({ peerId: b, socketId: 'sb', pieces: 9, complete: true, full: false })
    expect(await swarms.get(swarm, newPeer())).toBeUndefined()
    expect(await swarms.get(newSwarm(), a)).toBeUndefined()
    // In random order (see signaling/peer-handout.ts).
    expect(await swarms.handout(swarm, a, 50)).toEqual(
      expect.arrayContaining([
        { peerId: b, pieces: 9, complete: true },
        { peerId: c, pieces: 3, complete: false },
      ]),
    )
    expect(await swarms.handout(swarm, a, 50)).toHaveLength(2)
    expect(await swarms.handout(swarm, a, 1)).toHaveLength(1)
    expect(await swarms.handout(newSwarm(), a, 50)).toEqual([])

    // An update replaces what the peer holds.
    await swarms.upsert(swarm, { peerId: c, socketId: 'sc', pieces: 4, complete: false })
    expect((await swarms.get(swarm, c))?.pieces).toBe(4)

    // A stale connection cannot remove the entry its successor wrote.
    await swarms.upsert(swarm, { peerId: a, socketId: 'sa2', pieces: 0, complete: false })
    await swarms.remove(swarm, a, 'sa')
    expect((await swarms.get(swarm, a))?.socketId).toBe('sa2')
    await swarms.remove(swarm, a, 'sa2')
    expect(await swarms.get(swarm, a)).toBeUndefined()
    expect((await swarms.handout(swarm, b, 50)).map((p) => p.peerId)).toEqual([c])
  })

  it.skipIf(skip)('keeps whether each member is full, changed only through its own connection', async () => {
    const { swarms } = await make()
    const swarm = newSwarm()
    const [a, b] = [newPeer(), newPeer()]
    await swarms.upsert(swarm, { peerId: a, socketId: 'sa', pieces: 1, complete: false, full: true })
    await swarms.upsert(swarm, { peerId: b, socketId: 'sb', pieces: 2, complete: false })
    expect(await swarms.get(swarm, a)).toEqual({ peerId: a, socketId: 'sa', pieces: 1, complete: false, full: true })
    expect((await swarms.get(swarm, b))?.full).toBe(false)

    expect(await swarms.setFull(swarm, b, 'sb', true)).toBe(true)
    expect(await swarms.get(swarm, b)).toEqual({ peerId: b, socketId: 'sb', pieces: 2, complete: false, full: true })
    // Saying it again changes nothing and is no failure.
    expect(await swarms.setFull(swarm, b, 'sb', true)).toBe(true)
    expect(await swarms.setFull(swarm, a, 'sa', false)).toBe(true)
    expect((await swarms.get(swarm, a))?.full).toBe(false)

    // Another connection cannot change it, and a report creates no member.
    expect(await swarms.setFull(swarm, a, 'sb', true)).toBe(false)
    expect((await swarms.get(swarm, a))?.full).toBe(false)
    const stranger = newPeer()
    expect(await swarms.setFull(swarm, stranger, 'sx', true)).toBe(false)
    expect(await swarms.setFull(newSwarm(), a, 'sa', true)).toBe(false)
    expect(await swarms.get(swarm, stranger)).toBeUndefined()
    expect((await swarms.handout(swarm, a, 50)).map((p) => p.peerId)).toEqual([b])

    // An announce sets it again, absent meaning room.
    await swarms.upsert(swarm, { peerId: b, socketId: 'sb', pieces: 3, complete: false })
    expect((await swarms.get(swarm, b))?.full).toBe(false)
  })

  it.skipIf(skip)('hands out members with room first, full ones only to make up the number', async () => {
    const { swarms } = await make()
    const swarm = newSwarm()
    const asker = newPeer()
    const withRoom = [newPeer(), newPeer(), newPeer()]
    const full = Array.from({ length: 12 }, () => newPeer())
    // Full ones first, then those with room, then one that becomes full by a report.
    for (const peerId of full) await swarms.upsert(swarm, { peerId, socketId: `s-${peerId}`, pieces: 0, complete: false, full: true })
    for (const peerId of withRoom) await swarms.upsert(swarm, { peerId, socketId: `s-${peerId}`, pieces: 0, complete: false })
    const reported = newPeer()
    await swarms.upsert(swarm, { peerId: reported, socketId: 's-reported', pieces: 0, complete: false })
    await swarms.setFull(swarm, reported, 's-reported', true)
    await swarms.upsert(swarm, { peerId: asker, socketId: 's-asker', pieces: 0, complete: false })
    const allFull = [...full, reported]

    for (let round = 0; round < 10; round++) {
      expect((await swarms.handout(swarm, asker, 3)).map((p) => p.peerId).sort()).toEqual([...withRoom].sort())
      const handed = (await swarms.handout(swarm, asker, 8)).map((p) => p.peerId)
      expect(handed).toHaveLength(8)
      expect(handed.slice(0, 3).sort()).toEqual([...withRoom].sort())
      for (const peerId of handed.slice(3)) expect(allFull).toContain(peerId)
    }
    // Everyone, the asker's own entry aside, once each: with room first.
    const everyone = (await swarms.handout(swarm, asker, 50)).map((p) => p.peerId)
    expect(everyone.slice(0, 3).sort()).toEqual([...withRoom].sort())
    expect(everyone.slice(3).sort()).toEqual([...allFull].sort())

    // A full member that reports room is handed out with the others that have room.
    await swarms.setFull(swarm, reported, 's-reported', false)
    expect((await swarms.handout(swarm, asker, 4)).map((p) => p.peerId).sort()).toEqual([...withRoom, reported].sort())
  })

  it.skipIf(skip)('forgets full members when they are removed, and the swarm with its last one', async () => {
    const { swarms } = await make()
    const before = await swarms.count()
    const swarm = newSwarm()
    const [a, b, asker] = [newPeer(), newPeer(), newPeer()]
    await swarms.upsert(swarm, { peerId: a, socketId: 'sa', pieces: 0, complete: false, full: true })
    await swarms.upsert(swarm, { peerId: b, socketId: 'sb', pieces: 0, complete: false })
    await swarms.setFull(swarm, b, 'sb', true)
    expect(await swarms.count()).toBe(before + 1)
    // Only through the connection that owns it, full or not.
    await swarms.remove(swarm, a, 'sb')
    expect((await swarms.handout(swarm, asker, 50)).map((p) => p.peerId).sort()).toEqual([a, b].sort())
    await swarms.remove(swarm, a, 'sa')
    expect(await swarms.get(swarm, a)).toBeUndefined()
    expect((await swarms.handout(swarm, asker, 50)).map((p) => p.peerId)).toEqual([b])
    await swarms.remove(swarm, b, 'sb')
    expect(await swarms.handout(swarm, asker, 50)).toEqual([])
    expect(await swarms.count()).toBe(before)
    expect(await swarms.setFull(swarm, b, 'sb', false)).toBe(false)
  })

  it.skipIf(skip)('counts swarms with a member', async () => {
    const { swarms } = await make()
    const before = await swarms.count()
    const [s1, s2] = [newSwarm(), newSwarm()]
    await swarms.upsert(s1, { peerId: 'peer-one-1', socketId: 's1', pieces: 0, complete: false })
    await swarms.upsert(s2, { peerId: 'peer-two-2', socketId: 's2', pieces: 0, complete: false })
    expect(await swarms.count()).toBe(before + 2)
    await swarms.remove(s1, 'peer-one-1', 's1')
    expect(await swarms.count()).toBe(before + 1)
  })

  it.skipIf(skip)('gives a peer id to one connection; its own session key takes it over', async () => {
    const { peers } = await make()
    const id = newPeer()
    const before = await peers.count()
    expect(await peers.claim(id, { socketId: 'one', sessionKey: 'k1' })).toEqual({ ok: true })
    expect(await peers.claim(id, { socketId: 'one', sessionKey: 'k1' })).toEqual({ ok: true })
    expect(await peers.claim(id, { socketId: 'two', sessionKey: 'k2' })).toEqual({ ok: false })
    expect(await peers.claim(id, { socketId: 'two', sessionKey: undefined })).toEqual({ ok: false })
    expect(await peers.count()).toBe(before + 1)
    expect(await peers.claim(id, { socketId: 'three', sessionKey: 'k1' })).toEqual({ ok: true, replaced: 'one' })

    // Only the owner frees it.
    await peers.release(id, 'one')
    expect(await peers.claim(id, { socketId: 'four', sessionKey: 'k4' })).toEqual({ ok: false })
    await peers.release(id, 'three')
    expect(await peers.claim(id, { socketId: 'four', sessionKey: 'k4' })).toEqual({ ok: true })

    // Without a session key nobody can take the id over, not even another keyless connection.
    const keyless = newPeer()
    expect(await peers.claim(keyless, { socketId: 'five', sessionKey: undefined })).toEqual({ ok: true })
    expect(await peers.claim(keyless, { socketId: 'six', sessionKey: undefined })).toEqual({ ok: false })
  })

  it.skipIf(skip)('keeps manifests, evicting the least recently used beyond the count and byte caps', async () => {
    const { manifests } = await make()
    const [one, two, three, big] = [randomHex(32), randomHex(32), randomHex(32), randomHex(32)]
    await manifests.put(one, '{"n":1}', 7)
    await manifests.put(two, '{"n":2}', 7)
    expect(await manifests.get(one)).toBe('{"n":1}') // now two is the least recently used
    await manifests.put(three, '{"n":3}', 7)
    expect(await manifests.get(two)).toBeUndefined()
    expect(await manifests.get(one)).toBe('{"n":1}')
    expect(await manifests.get(three)).toBe('{"n":3}')
    expect(await manifests.count()).toBe(2)
    // Publishing the same id again replaces it, and is no eviction.
    await manifests.put(three, '{"n":3}', 7)
    expect(await manifests.get(one)).toBe('{"n":1}')

    // 995 bytes leave no room for anything else under the 1000-byte cap, but are kept themselves.
    const text = `"${'x'.repeat(993)}"`
    await manifests.put(big, text, text.length)
    expect(await manifests.get(big)).toBe(text)
    expect(await manifests.get(one)).toBeUndefined()
    expect(await manifests.get(three)).toBeUndefined()
    expect(await manifests.get(randomHex(32))).toBeUndefined()
  })
})

describe.skipIf(!redisServerAvailable)('redis store: expiry', () => {
  it('forgets a member that was not renewed within the TTL, and prunes it', async () => {
    const clock = { now: Date.now() }
    const prefix = `test-${randomHex(4)}:`
    const { swarms } = await redisStore(clock, prefix)
    const swarm = newSwarm()
    const [live, gone, asker] = [newPeer(), newPeer(), newPeer()]
    await swarms.upsert(swarm, { peerId: gone, socketId: 'crashed-process', pieces: 5, complete: true })
    clock.now += TTL_MS / 2
    await swarms.upsert(swarm, { peerId: live, socketId: 'live', pieces: 1, complete: false })
    clock.now += TTL_MS / 2 - 1
    expect((await swarms.handout(swarm, asker, 50)).map((p) => p.peerId).sort()).toEqual([gone, live].sort())

    clock.now += 1 // `gone` expires at exactly this millisecond
    expect(await swarms.get(swarm, gone)).toBeUndefined()
    expect((await swarms.handout(swarm, asker, 50)).map((p) => p.peerId)).toEqual([live])
    const raw = new Redis(redis!.url)
    try {
      // The handout pruned it from Redis too, not just from its answer.
      expect(await raw.hkeys(redisKeys(prefix).swarmPeers(swarm))).toEqual([live])
      // And a record that is not one (Redis is shared) is never handed out.
      await raw.hset(redisKeys(prefix).swarmPeers(swarm), 'peer-garbage', 'not json')
    } finally {
      raw.disconnect()
    }
    expect((await swarms.handout(swarm, asker, 50)).map((p) => p.peerId)).toEqual([live])

    // Renewing keeps it; not renewing drops the swarm from the count as well.
    const counted = await swarms.count()
    clock.now += TTL_MS / 2
    await swarms.upsert(swarm, { peerId: live, socketId: 'live', pieces: 2, complete: false })
    clock.now += TTL_MS - 1
    expect((await swarms.get(swarm, live))?.pieces).toBe(2)
    expect(await swarms.count()).toBe(counted)
    clock.now += 1
    expect(await swarms.get(swarm, live)).toBeUndefined()
    expect(await swarms.count()).toBe(counted - 1)
  })

  it('keeps full members in their own hash, expiring with the swarm, pruned and removed with them', async () => {
    const clock = { now: Date.now() }
    const prefix = `test-${randomHex(4)}:`
    const keys = redisKeys(prefix)
    const { swarms } = await redisStore(clock, prefix)
    const swarm = newSwarm()
    const [stale, reporting, staying, asker] = [newPeer(), newPeer(), newPeer(), newPeer()]
    const raw = new Redis(redis!.url)
    try {
      await swarms.upsert(swarm, { peerId: reporting, socketId: 'sr', pieces: 0, complete: false })
      await swarms.upsert(swarm, { peerId: staying, socketId: 'ss', pieces: 0, complete: false })
      // Created by a report's move, the full hash expires with the swarm's other keys (not never).
      expect(await swarms.setFull(swarm, reporting, 'sr', true)).toBe(true)
      expect(await raw.hkeys(keys.swarmFull(swarm))).toEqual([reporting])
      expect(await raw.hkeys(keys.swarmPeers(swarm))).toEqual([staying])
      const ttl = await raw.pttl(keys.swarmFull(swarm))
      expect(ttl).toBeGreaterThan(0)
      expect(ttl).toBeLessThanOrEqual(TTL_MS)
      await swarms.upsert(swarm, { peerId: stale, socketId: 'crashed-process', pieces: 0, complete: false, full: true })

      // An expired full member is never handed out and is pruned from the full hash.
      clock.now += TTL_MS
      await swarms.upsert(swarm, { peerId: reporting, socketId: 'sr', pieces: 0, complete: false, full: true })
      await swarms.upsert(swarm, { peerId: staying, socketId: 'ss', pieces: 0, complete: false })
      expect(await swarms.setFull(swarm, stale, 'crashed-process', false)).toBe(false)
      expect((await swarms.handout(swarm, asker, 50)).map((p) => p.peerId)).toEqual([staying, reporting])
      expect(await raw.hkeys(keys.swarmFull(swarm))).toEqual([reporting])
      expect(await raw.zrange(keys.swarmExpiry(swarm), 0, -1)).not.toContain(stale)

      // Removing the last full member leaves no full hash behind; the last member of all, no swarm.
      await swarms.remove(swarm, reporting, 'sr')
      expect(await raw.exists(keys.swarmFull(swarm))).toBe(0)
      await swarms.remove(swarm, staying, 'ss')
      expect(await raw.exists(keys.swarmPeers(swarm), keys.swarmFull(swarm), keys.swarmExpiry(swarm))).toBe(0)
    } finally {
      raw.disconnect()
    }
  })

  it('frees a peer id whose owner stopped renewing it', async () => {
    const clock = { now: Date.now() }
    const { peers } = await redisStore(clock)
    const id = newPeer()
    await peers.claim(id, { socketId: 'on-a-crashed-process', sessionKey: 'k1' })
    const counted = await peers.count()
    clock.now += TTL_MS - 1
    // The count follows the injected clock; the key's own expiry in Redis runs on real time.
    expect(await peers.count()).toBe(counted)
    clock.now += 1
    expect(await peers.count()).toBe(counted - 1)
  })

  it('forgets a manifest neither published nor fetched within its TTL', async () => {
    const clock = { now: Date.now() }
    const { manifests } = await redisStore(clock)
    const [kept, dropped] = [randomHex(32), randomHex(32)]
    await manifests.put(dropped, '{"kept":0}', 10)
    await manifests.put(kept, '{"kept":1}', 10)
    clock.now += TTL_MS - 1
    expect(await manifests.get(kept)).toBe('{"kept":1}') // a fetch renews it
    clock.now += 1
    expect(await manifests.get(dropped)).toBeUndefined()
    expect(await manifests.count()).toBe(1)
    // Renewed 1 ms ago: kept until a TTL after that.
    clock.now += TTL_MS - 2
    expect(await manifests.get(kept)).toBe('{"kept":1}')
  })

  it('keeps separate deployments apart by key prefix', async () => {
    const [one, two] = [await redisStore(), await redisStore()]
    const swarm = newSwarm()
    await one.swarms.upsert(swarm, { peerId: 'peer-in-one', socketId: 's', pieces: 0, complete: false })
    expect(await two.swarms.get(swarm, 'peer-in-one')).toBeUndefined()
    const id = randomHex(32)
    await one.manifests.put(id, '{}', 2)
    expect(await two.manifests.get(id)).toBeUndefined()
  })
})
