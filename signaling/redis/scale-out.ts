/**
 * Runs any number of tracker processes as one over a shared Redis: swarm membership, peer-id
 * ownership and manifests live in Redis (the TrackerStore), and Socket.IO's Redis adapter carries
 * each relayed signal to whichever process holds the receiving peer's connection.
 *
 * Three connections per process: one for the store, which fails fast while Redis is away (an
 * event is answered TRACKER_ERROR at once and the client retries on its next announce), and the
 * adapter's publisher and subscriber, which queue and resubscribe across an outage.
 */
import { createAdapter } from '@socket.io/redis-adapter'
import type { Redis } from 'ioredis'
import { ShoalError } from '../../core/errors.ts'
import { ANNOUNCE_INTERVAL_MS } from '../../core/tracker-protocol.ts'
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_COUNT } from '../manifest-registry.ts'
import type { ManifestRegistryOptions } from '../manifest-registry.ts'
import type { TrackerStore } from '../tracker-store.ts'
import { DEFAULT_CONNECT_TIMEOUT_MS, checkRedisUrl, openRedis, redactRedisUrl, supportsRedisVersion, watchRedis } from './connection.ts'
import type { RedisStatus } from './connection.ts'
import { DEFAULT_KEY_PREFIX, redisKeys } from './keys.ts'
import { DEFAULT_MANIFEST_TTL_MS, RedisManifestStore } from './manifest-store.ts'
import { DEFAULT_MEMBER_TTL_MS } from './member-record.ts'
import { RedisPeerOwnership } from './peer-ownership.ts'
import { RedisSwarmMembership } from './swarm-membership.ts'

export type { RedisStatus }

export interface RedisScaleOutOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://…`. */
  url: string
  /** Before every key and the adapter's channels; processes serving as one must share it. */
  keyPrefix?: string
  /** How long a peer stays in a swarm (and owns its id) after its last announce: how fast a
   * crashed process's peers age out. More than the clients' announce interval. */
  memberTtlMs?: number
  /** How long a manifest is kept after it was last published or fetched. */
  manifestTtlMs?: number
  connectTimeoutMs?: number
  /** A lost connection to Redis, and its return. */
  onStatus?: (status: RedisStatus) => void
  /** Injected by tests. */
  now?: () => number
}

export interface RedisScaleOut {
  store: TrackerStore
  /** For Socket.IO's `adapter` option. */
  adapter: ReturnType<typeof createAdapter>
  /** Closes the connections; call after the Socket.IO server closed. */
  close(): void
}

/** Connects (or throws TRACKER_ERROR / BAD_INPUT before anything listens). */
export async function connectRedisScaleOut(options: RedisScaleOutOptions, manifests: ManifestRegistryOptions = {}): Promise<RedisScaleOut> {
  checkRedisUrl(options.url)
  const memberTtlMs = options.memberTtlMs ?? DEFAULT_MEMBER_TTL_MS
  if (!(memberTtlMs > ANNOUNCE_INTERVAL_MS)) {
    throw new ShoalError('BAD_INPUT', `the peer TTL must be longer than the ${ANNOUNCE_INTERVAL_MS / 1000} s announce interval, or live peers would drop out between announces`)
  }
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  const keys = redisKeys(options.keyPrefix ?? DEFAULT_KEY_PREFIX)
  const now = options.now ?? Date.now

  const opened = await Promise.allSettled([
    // Fails fast while disconnected: no queue of stale writes replayed after an outage.
    openRedis(options.url, { enableOfflineQueue: false, enableAutoPipelining: true, commandTimeout: timeoutMs }, timeoutMs),
    // The adapter publishes without waiting for an answer: its commands wait out an outage
    // rather than failing into an unhandled rejection.
    openRedis(options.url, { maxRetriesPerRequest: null }, timeoutMs),
    openRedis(options.url, { maxRetriesPerRequest: null }, timeoutMs),
  ])
  const clients = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
  const failed = opened.find((result) => result.status === 'rejected')
  if (failed) {
    for (const client of clients) client.disconnect()
    throw failed.reason
  }
  const [storeClient, pubClient, subClient] = clients as [Redis, Redis, Redis]
  try {
    const { ok, version } = supportsRedisVersion(await storeClient.info('server'))
    if (!ok) throw new ShoalError('TRACKER_ERROR', `Redis at ${redactRedisUrl(options.url)} is version ${version}; Shoal needs 6.2 or newer`)
  } catch (err) {
    for (const client of clients) client.disconnect()
    throw err
  }

  const report = options.onStatus ?? (() => {})
  const unwatch = [
    watchRedis(storeClient, 'store', report),
    watchRedis(pubClient, 'adapter publisher', report),
    watchRedis(subClient, 'adapter subscriber', report),
  ]
  const store: TrackerStore = {
    swarms: new RedisSwarmMembership(storeClient, { keys, ttlMs: memberTtlMs, now }),
    peers: new RedisPeerOwnership(storeClient, { keys, ttlMs: memberTtlMs, now }),
    manifests: new RedisManifestStore(storeClient, {
      keys,
      maxCount: manifests.maxCount ?? DEFAULT_MAX_COUNT,
      maxBytes: manifests.maxBytes ?? DEFAULT_MAX_BYTES,
      ttlMs: options.manifestTtlMs ?? DEFAULT_MANIFEST_TTL_MS,
      now,
    }),
  }
  return {
    store,
    adapter: createAdapter(pubClient, subClient, { key: keys.adapterChannel }),
    close() {
      for (const stop of unwatch) stop()
      // disconnect(), not quit(): quit waits for an answer that a Redis that is down never sends.
      for (const client of clients) client.disconnect()
    },
  }
}
