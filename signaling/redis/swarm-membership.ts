/**
 * Swarm membership in Redis, shared by every tracker process: per swarm a hash of peer id ->
 * record and a sorted set of expiry times. Each announce renews its peer's entry; an entry whose
 * peer stopped announcing (its process crashed, or the peer vanished) expires, is never handed
 * out or signalled again, and is pruned the next time anyone asks for the swarm's peers.
 */
import type { Redis } from 'ioredis'
import type { PeerInfo } from '../../core/tracker-protocol.ts'
import { choosePeers } from '../peer-handout.ts'
import type { SwarmMember, SwarmMembership } from '../tracker-store.ts'
import type { RedisKeys } from './keys.ts'
import { decodeMember, encodeMember, expiresAt } from './member-record.ts'
import { RedisScript, asCount, countLive } from './script.ts'

// KEYS: peers, expiry, swarms. ARGV: peerId, record, expiresAt, ttlMs, swarm.
// The swarm's keys expire with their newest entry, so an abandoned swarm leaves nothing behind.
const upsertScript = new RedisScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('ZADD', KEYS[3], 'GT', ARGV[3], ARGV[5])
`)

// KEYS: peers, expiry. ARGV: now, sample size. Prunes (a bounded batch of) expired entries, then
// samples uniformly at random in Redis: a swarm of thousands costs one small reply.
const sampleScript = new RedisScript(`
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 1000)
if #expired > 0 then
  redis.call('HDEL', KEYS[1], unpack(expired))
  redis.call('ZREM', KEYS[2], unpack(expired))
end
return redis.call('HRANDFIELD', KEYS[1], ARGV[2], 'WITHVALUES')
`)

// KEYS: peers, expiry, swarms. ARGV: peerId, socketId, swarm. Compare-and-delete, atomically:
// a stale connection's cleanup must not evict the entry its successor just wrote.
const removeScript = new RedisScript(`
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record then return 0 end
local ok, member = pcall(cjson.decode, record)
if ok and type(member) == 'table' and member.socketId ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('HLEN', KEYS[1]) == 0 then redis.call('ZREM', KEYS[3], ARGV[3]) end
return 1
`)

export interface RedisMembershipOptions {
  keys: RedisKeys
  ttlMs: number
  now: () => number
}

export class RedisSwarmMembership implements SwarmMembership {
  readonly #redis: Redis
  readonly #options: RedisMembershipOptions

  constructor(redis: Redis, options: RedisMembershipOptions) {
    this.#redis = redis
    this.#options = options
  }

  async upsert(swarm: string, member: SwarmMember): Promise<void> {
    const { keys, ttlMs, now } = this.#options
    const expiry = expiresAt(now(), ttlMs)
    await upsertScript.run(this.#redis, [keys.swarmPeers(swarm), keys.swarmExpiry(swarm), keys.swarms], [
      member.peerId,
      encodeMember(member, expiry),
      expiry,
      ttlMs,
      swarm,
    ])
  }

  async get(swarm: string, peerId: string): Promise<SwarmMember | undefined> {
    const record = await this.#redis.hget(this.#options.keys.swarmPeers(swarm), peerId)
    return record === null ? undefined : decodeMember(peerId, record, this.#options.now())
  }

  async remove(swarm: string, peerId: string, socketId: string): Promise<void> {
    const { keys } = this.#options
    await removeScript.run(this.#redis, [keys.swarmPeers(swarm), keys.swarmExpiry(swarm), keys.swarms], [peerId, socketId, swarm])
  }

  async handout(swarm: string, peerId: string, limit: number, random?: () => number): Promise<PeerInfo[]> {
    const { keys, now } = this.#options
    const at = now()
    // One more than asked for: the asker may be in the sample.
    const reply = await sampleScript.run(this.#redis, [keys.swarmPeers(swarm), keys.swarmExpiry(swarm)], [at, limit + 1])
    const members: SwarmMember[] = []
    if (Array.isArray(reply)) {
      for (let i = 0; i + 1 < reply.length; i += 2) {
        const member = decodeMember(String(reply[i]), String(reply[i + 1]), at)
        if (member) members.push(member)
      }
    }
    return choosePeers(members, { exclude: peerId, limit, random })
  }

  async count(): Promise<number> {
    return asCount(await countLive.run(this.#redis, [this.#options.keys.swarms], [this.#options.now()]))
  }
}
