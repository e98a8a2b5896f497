/** The pure parts of running trackers over Redis: key names, member records and their expiry, URL and version checks. */
import { describe, expect, it } from 'vitest'
import { isShoalError } from '../../core/errors.ts'
import { ANNOUNCE_INTERVAL_MS } from '../../core/tracker-protocol.ts'
import { checkRedisUrl, redactRedisUrl, supportsRedisVersion } from '../../signaling/redis/connection.ts'
import { DEFAULT_KEY_PREFIX, redisKeys } from '../../signaling/redis/keys.ts'
import { DEFAULT_MEMBER_TTL_MS, decodeMember, encodeMember, expiresAt, isLive } from '../../signaling/redis/member-record.ts'

const SWARM = 'ab'.repeat(32)

describe('redis keys', () => {
  it('puts everything under the prefix, with a swarm hash tag and the adapter channel', () => {
    const keys = redisKeys()
    expect(DEFAULT_KEY_PREFIX).toBe('shoal:')
    expect(keys.swarmPeers(SWARM)).toBe(`shoal:swarm:{${SWARM}}:peers`)
    expect(keys.swarmFull(SWARM)).toBe(`shoal:swarm:{${SWARM}}:full`)
    expect(keys.swarmExpiry(SWARM)).toBe(`shoal:swarm:{${SWARM}}:expiry`)
    expect(keys.peerOwner('peer-1234')).toBe('shoal:peer:peer-1234')
    expect(keys.manifest(SWARM)).toBe(`shoal:manifest:${SWARM}`)
    expect(keys.manifest(SWARM).startsWith(keys.manifestPrefix)).toBe(true)
    expect(keys.adapterChannel).toBe('shoal:socket.io')

    const other = redisKeys('staging:')
    const all = [
      other.swarmPeers(SWARM),
      other.swarmFull(SWARM),
      other.swarmExpiry(SWARM),
      other.swarms,
      other.peerOwner('p'),
      other.peerOwners,
      other.manifest(SWARM),
      other.manifestsByUse,
      other.manifestSizes,
      other.manifestBytes,
      other.adapterChannel,
    ]
    for (const key of all) expect(key.startsWith('staging:'), key).toBe(true)
    // No two kinds of key collide.
    expect(new Set(all).size).toBe(all.length)
  })
})

describe('member records', () => {
  const member = { peerId: 'peer-1234', socketId: 'sock-1', pieces: 7, complete: false }

  it('expire a TTL after the announce, and not a millisecond before', () => {
    const expiry = expiresAt(1_000_000, 30_000)
    expect(expiry).toBe(1_030_000)
    expect(isLive(expiry, 1_029_999)).toBe(true)
    expect(isLive(expiry, 1_030_000)).toBe(false)
  })

  it('outlive a late announce: the default TTL is three announce intervals', () => {
    expect(DEFAULT_MEMBER_TTL_MS).toBe(3 * ANNOUNCE_INTERVAL_MS)
  })

  it('round-trip while live, and decode to nothing once expired or when not a record', () => {
    const text = encodeMember(member, 2000)
    expect(decodeMember('peer-1234', text, 1999)).toEqual({ ...member, full: false })
    // Whether it is full is which hash it was read from, not part of the record.
    expect(decodeMember('peer-1234', text, 1999, true)).toEqual({ ...member, full: true })
    expect(encodeMember({ ...member, full: true }, 2000)).toBe(text)
    expect(decodeMember('peer-1234', text, 2000)).toBeUndefined()
    for (const junk of ['', 'not json', 'null', '[]', '{"socketId":1,"pieces":0,"complete":false,"expiresAt":9e15}', '{"socketId":"s"}']) {
      expect(decodeMember('peer-1234', junk, 0), junk).toBeUndefined()
    }
  })
})

describe('redis connection checks', () => {
  it('accepts redis:// and rediss:// URLs and refuses the rest as BAD_INPUT', () => {
    expect(() => checkRedisUrl('redis://127.0.0.1:6379')).not.toThrow()
    expect(() => checkRedisUrl('rediss://user:pw@redis.example:6380/2')).not.toThrow()
    for (const bad of ['127.0.0.1:6379', 'http://127.0.0.1:6379', '', 'redis//x']) {
      try {
        checkRedisUrl(bad)
        expect.unreachable(bad)
      } catch (err) {
        expect(isShoalError(err, 'BAD_INPUT'), bad).toBe(true)
      }
    }
  })

  it('never shows a password', () => {
    expect(redactRedisUrl('redis://:s3cret@10.0.0.5:6379/1')).toBe('redis://:***@10.0.0.5:6379/1')
    expect(redactRedisUrl('rediss://app:s3cret@redis.example')).not.toContain('s3cret')
    expect(redactRedisUrl('redis://10.0.0.5:6379')).toBe('redis://10.0.0.5:6379')
    expect(redactRedisUrl('not a url with s3cret')).not.toContain('s3cret')
  })

  it('wants Redis 6.2 or newer', () => {
    const info = (version: string) => `# Server\r\nredis_version:${version}\r\nredis_mode:standalone\r\n`
    expect(supportsRedisVersion(info('7.0.15'))).toEqual({ ok: true, version: '7.0.15' })
    expect(supportsRedisVersion(info('6.2.0')).ok).toBe(true)
    expect(supportsRedisVersion(info('6.0.16')).ok).toBe(false)
    expect(supportsRedisVersion(info('5.0.14')).ok).toBe(false)
    expect(supportsRedisVersion('# Server\r\n')).toEqual({ ok: false, version: 'unknown' })
  })
})
