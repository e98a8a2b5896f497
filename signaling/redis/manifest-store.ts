/**
 * Published manifests in Redis, so a downloader on one tracker process can fetch what a seeder
 * published on another. Bounded like the in-memory registry (count and bytes, the least recently
 * published or fetched evicted first), and each manifest also expires a while after its last use,
 * so trackers that went away do not leave their manifests in Redis for ever.
 */
import type { Redis } from 'ioredis'
import type { ManifestStore } from '../tracker-store.ts'
import type { RedisKeys } from './keys.ts'
import { RedisScript, asCount } from './script.ts'

/** A link shared in an e-mail may be opened weeks later; the count and byte caps bound the rest. */
export const DEFAULT_MANIFEST_TTL_MS = 30 * 24 * 3600 * 1000

// Scores are times (ms), so expiry can be found by score, but two uses within one millisecond
// must still be ordered: a use at a time not after the newest one is stamped just after it.
// Formatted by hand, since Lua would print a big number with 14 digits and lose the fraction.
const STAMP = `
local function stamp(byUse, now)
  local t = tonumber(now)
  local newest = redis.call('ZRANGE', byUse, -1, -1, 'WITHSCORES')[2]
  if newest and tonumber(newest) >= t then t = tonumber(newest) + 0.01 end
  return string.format('%.3f', t)
end
`

// KEYS: by-use, sizes, bytes. ARGV: id, json, bytes, now, ttlMs, maxCount, maxBytes, key prefix,
// cutoff (now - ttlMs). Evicts by id, so it names manifest keys itself (fine on a single Redis).
const putScript = new RedisScript(`${STAMP}
local byUse, sizes, total = KEYS[1], KEYS[2], KEYS[3]
local id, json, bytes, now, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
local maxCount, maxBytes, prefix, cutoff = tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8], ARGV[9]
local function drop(old)
  local size = redis.call('HGET', sizes, old)
  if size then
    redis.call('DECRBY', total, size)
    redis.call('HDEL', sizes, old)
  end
  redis.call('ZREM', byUse, old)
  redis.call('DEL', prefix .. old)
end
-- Manifests that expired on their own are gone already; forget their bookkeeping.
for _, old in ipairs(redis.call('ZRANGEBYSCORE', byUse, '-inf', cutoff, 'LIMIT', 0, 100)) do drop(old) end
drop(id)
while true do
  local count = redis.call('ZCARD', byUse)
  if count == 0 then break end
  local used = tonumber(redis.call('GET', total) or '0')
  if count < maxCount and used + bytes <= maxBytes then break end
  drop(redis.call('ZRANGE', byUse, 0, 0)[1])
end
redis.call('SET', prefix .. id, json, 'PX', ttl)
redis.call('ZADD', byUse, stamp(byUse, now), id)
redis.call('HSET', sizes, id, bytes)
redis.call('INCRBY', total, bytes)
return 1
`)

// KEYS: manifest, by-use. ARGV: id, now, ttlMs. A fetch counts as a use: it renews the manifest.
const getScript = new RedisScript(`${STAMP}
local json = redis.call('GET', KEYS[1])
if not json then return false end
-- Expired by the caller's clock, which Redis's own expiry (its clock) may not have caught up with.
local used = redis.call('ZSCORE', KEYS[2], ARGV[1])
if used and tonumber(used) <= tonumber(ARGV[2]) - tonumber(ARGV[3]) then return false end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], 'XX', stamp(KEYS[2], ARGV[2]), ARGV[1])
return json
`)

export interface RedisManifestOptions {
  keys: RedisKeys
  maxCount: number
  maxBytes: number
  ttlMs: number
  now: () => number
}

export class RedisManifestStore implements ManifestStore {
  readonly #redis: Redis
  readonly #options: RedisManifestOptions

  constructor(redis: Redis, options: RedisManifestOptions) {
    this.#redis = redis
    this.#options = options
  }

  async put(id: string, json: string, bytes: number): Promise<void> {
    const { keys, maxCount, maxBytes, ttlMs, now } = this.#options
    const at = now()
    await putScript.run(this.#redis, [keys.manifestsByUse, keys.manifestSizes, keys.manifestBytes], [
      id,
      json,
      bytes,
      at,
      ttlMs,
      maxCount,
      maxBytes,
      keys.manifestPrefix,
      at - ttlMs,
    ])
  }

  async get(id: string): Promise<string | undefined> {
    const { keys, ttlMs, now } = this.#options
    const reply = await getScript.run(this.#redis, [keys.manifest(id), keys.manifestsByUse], [id, now(), ttlMs])
    return typeof reply === 'string' ? reply : undefined
  }

  async count(): Promise<number> {
    const { keys, ttlMs, now } = this.#options
    return asCount(await this.#redis.zcount(keys.manifestsByUse, `(${now() - ttlMs}`, '+inf'))
  }
}
