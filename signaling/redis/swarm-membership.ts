/**
 * Swarm membership in Redis, shared by every tracker process: per swarm a hash of peer id ->
 * record for members with room for another connection, another for members that said they are
 * full, and a sorted set of expiry times. Each announce renews its peer's entry; an entry whose
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

// KEYS: peers, full, expiry, swarms. ARGV: peerId, record, expiresAt, ttlMs, swarm, full (1 or 0).
// The record goes in the hash its `full` names and out of the other. The swarm's keys expire with
// their newest entry, so an abandoned swarm leaves nothing behind.
const upsertScript = new RedisScript(`
local into, from = KEYS[1], KEYS[2]
if ARGV[6] == '1' then into, from = KEYS[2], KEYS[1] end
redis.call('HDEL', from, ARGV[1])
redis.call('HSET', into, ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
redis.call('ZADD', KEYS[4], 'GT', ARGV[3], ARGV[5])
`)

// KEYS: peers, full. ARGV: peerId. Answers {record, 1 if full} or nil; atomic, so a member being
// moved between the hashes is never missed.
const getScript = new RedisScript(`
local record = redis.call('HGET', KEYS[1], ARGV[1])
if record then return {record, 0} end
record = redis.call('HGET', KEYS[2], ARGV[1])
if record then return {record, 1} end
return false
`)

// KEYS: peers, full, expiry. ARGV: now, sample size. Prunes (a bounded batch of) expired entries,
// then samples uniformly at random in Redis, members with room first and full ones only to make
// up the number: in a big swarm most members are full, and a sample of all of them would rarely
// hold the few with room. A swarm of thousands costs one small reply: {with room, full}, each
// a flat list of peer id, record, ...
const sampleScript = new RedisScript(`
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[1], 'LIMIT', 0, 1000)
if #expired > 0 then
  redis.call('HDEL', KEYS[1], unpack(expired))
  redis.call('HDEL', KEYS[2], unpack(expired))
  redis.call('ZREM', KEYS[3], unpack(expired))
end
local withRoom = redis.call('HRANDFIELD', KEYS[1], ARGV[2], 'WITHVALUES')
local short = tonumber(ARGV[2]) - #withRoom / 2
if short <= 0 then return {withRoom, {}} end
return {withRoom, redis.call('HRANDFIELD', KEYS[2], short, 'WITHVALUES')}
`)

// KEYS: peers, full, expiry, swarms. ARGV: peerId, socketId, swarm. Compare-and-delete, atomically:
// a stale connection's cleanup must not evict the entry its successor just wrote.
const removeScript = new RedisScript(`
local hash = KEYS[1]
local record = redis.call('HGET', hash, ARGV[1])
if not record then
  hash = KEYS[2]
  record = redis.call('HGET', hash, ARGV[1])
end
if not record then return 0 end
local ok, member = pcall(cjson.decode, record)
if ok and type(member) == 'table' and member.socketId ~= ARGV[2] then return 0 end
redis.call('HDEL', hash, ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('HLEN', KEYS[1]) == 0 and redis.call('HLEN', KEYS[2]) == 0 then redis.call('ZREM', KEYS[4], ARGV[3]) end
return 1
`)

// KEYS: peers, full, expiry. ARGV: peerId, socketId, full (1 or 0), now. Moves a live member's
// record to the hash its new state names, only if `socketId` still owns it (as remove checks):
// a report from a stale connection, or for an entry that expired, changes nothing and creates nothing.
const setFullScript = new RedisScript(`
local into, from = KEYS[1], KEYS[2]
if ARGV[3] == '1' then into, from = KEYS[2], KEYS[1] end
local moving = true
local record = redis.call('HGET', from, ARGV[1])
if not record then
  record = redis.call('HGET', into, ARGV[1])
  moving = false
end
if not record then return 0 end
local ok, member = pcall(cjson.decode, record)
if not ok or type(member) ~= 'table' or member.socketId ~= ARGV[2] then return 0 end
if type(member.expiresAt) ~= 'number' or member.expiresAt <= tonumber(ARGV[4]) then return 0 end
if moving then
  redis.call('HDEL', from, ARGV[1])
  redis.call('HSET', into, ARGV[1], record)
  -- A hash this move created would never expire: it goes with the swarm's other keys.
  local ttl = redis.call('PTTL', KEYS[3])
  if ttl > 0 then redis.call('PEXPIRE', into, ttl) end
end
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
    await upsertScript.run(this.#redis, [keys.swarmPeers(swarm), keys.swarmFull(swarm), keys.swarmExpiry(swarm), keys.swarms], [
      member.peerId,
      encodeMember(member, expiry),
      expiry,
      ttlMs,
      swarm,
      member.full === true ? 1 : 0,
    ])
  }

  async get(swarm: string, peerId: string): Promise<SwarmMember | undefined> {
    const { keys, now } = this.#options
    const reply = await getScript.run(this.#redis, [keys.swarmPeers(swarm), keys.swarmFull(swarm)], [peerId])
    if (!Array.isArray(reply) || typeof reply[0] !== 'string') return undefined
    return decodeMember(peerId, reply[0], now(), reply[1] === 1)
  }

  async remove(swarm: string, peerId: string, socketId: string): Promise<void> {
    const { keys } = this.#options
    await removeScript.run(this.#redis, [keys.swarmPeers(swarm), keys.swarmFull(swarm), keys.swarmExpiry(swarm), keys.swarms], [peerId, socketId, swarm])
  }

  async setFull(swarm: string, peerId: string, socketId: string, full: boolean): Promise<boolean> {
    const { keys, now } = this.#options
    const reply = await setFullScript.run(this.#redis, [keys.swarmPeers(swarm), keys.swarmFull(swarm), keys.swarmExpiry(swarm)], [
      peerId,
      socketId,
      full ? 1 : 0,
      now(),
    ])
    return reply === 1
  }

  async handout(swarm: string, peerId: string, limit: number, random?: () => number): Promise<PeerInfo[]> {
    const { keys, now } = this.#options
    const at = now()
    // One more than asked for: the asker may be in the sample.
    const reply = await sampleScript.run(this.#redis, [keys.swarmPeers(swarm), keys.swarmFull(swarm), keys.swarmExpiry(swarm)], [at, limit + 1])
    const [roomReply, fullReply] = Array.isArray(reply) ? reply : []
    const withRoom = decodeSample(roomReply, at, false)
    // In both hashes only if a process from before room reports re-announced it (a rolling upgrade):
    // handed out once, as having room, which is what that process meant.
    const listed = new Set(withRoom.map((m) => m.peerId))
    const full = decodeSample(fullReply, at, true).filter((m) => !listed.has(m.peerId))
    // choosePeers keeps those with room first, and shuffles each group.
    return choosePeers([...withRoom, ...full], { exclude: peerId, limit, random })
  }

  async count(): Promise<number> {
    return asCount(await countLive.run(this.#redis, [this.#options.keys.swarms], [this.#options.now()]))
  }
}

/** A flat HRANDFIELD ... WITHVALUES reply (peer id, record, ...) as members, dropping those that are not live records. */
function decodeSample(reply: unknown, now: number, full: boolean): SwarmMember[] {
  const members: SwarmMember[] = []
  if (!Array.isArray(reply)) return members
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const member = decodeMember(String(reply[i]), String(reply[i + 1]), now, full)
    if (member) members.push(member)
  }
  return members
}
