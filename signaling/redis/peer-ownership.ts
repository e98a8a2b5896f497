/**
 * Which connection owns each peer id, in Redis, so a peer id held on one tracker process cannot
 * be claimed on another (the rules are PeerOwnership's, in tracker-store.ts). A claim expires
 * unless its owner renews it (every announce does), so the ids of a crashed process's peers
 * become free again; until then only their owners, by their session keys, can take them back.
 */
import type { Redis } from 'ioredis'
import type { ClaimResult, PeerOwner, PeerOwnership } from '../tracker-store.ts'
import type { RedisKeys } from './keys.ts'
import { expiresAt } from './member-record.ts'
import { RedisScript, asCount, countLive } from './script.ts'

/** Stands for "no session key" in Redis, where a hash field cannot be undefined. */
const NO_KEY = ''

// KEYS: owner, owners. ARGV: socketId, sessionKey, ttlMs, expiresAt, peerId.
// Answers {1, replaced socket id or ''} or {0, ''}.
const claimScript = new RedisScript(`
local owner = redis.call('HMGET', KEYS[1], 'socketId', 'sessionKey')
local replaced = ''
if owner[1] and owner[1] ~= ARGV[1] then
  if ARGV[2] == '' or owner[2] ~= ARGV[2] then return {0, ''} end
  replaced = owner[1]
end
redis.call('HSET', KEYS[1], 'socketId', ARGV[1], 'sessionKey', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
return {1, replaced}
`)

// KEYS: owner, owners. ARGV: socketId, peerId.
const releaseScript = new RedisScript(`
if redis.call('HGET', KEYS[1], 'socketId') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return 1
`)

export interface RedisOwnershipOptions {
  keys: RedisKeys
  ttlMs: number
  now: () => number
}

export class RedisPeerOwnership implements PeerOwnership {
  readonly #redis: Redis
  readonly #options: RedisOwnershipOptions

  constructor(redis: Redis, options: RedisOwnershipOptions) {
    this.#redis = redis
    this.#options = options
  }

  async claim(peerId: string, claimant: PeerOwner): Promise<ClaimResult> {
    const { keys, ttlMs, now } = this.#options
    const reply = await claimScript.run(this.#redis, [keys.peerOwner(peerId), keys.peerOwners], [
      claimant.socketId,
      claimant.sessionKey ?? NO_KEY,
      ttlMs,
      expiresAt(now(), ttlMs),
      peerId,
    ])
    const [ok, replaced] = Array.isArray(reply) ? reply : []
    if (Number(ok) !== 1) return { ok: false }
    return typeof replaced === 'string' && replaced !== '' ? { ok: true, replaced } : { ok: true }
  }

  async release(peerId: string, socketId: string): Promise<void> {
    const { keys } = this.#options
    await releaseScript.run(this.#redis, [keys.peerOwner(peerId), keys.peerOwners], [socketId, peerId])
  }

  async count(): Promise<number> {
    return asCount(await countLive.run(this.#redis, [this.#options.keys.peerOwners], [this.#options.now()]))
  }
}
