/** Join tokens: only a signed, unexpired HS256 token for the very swarm admits its holder. */
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { isShoalError } from '../../core/errors.ts'
import { JOIN_TOKEN_AUDIENCE, joinTokenKey, mintJoinToken, verifyJoinToken } from '../../core/join-token.ts'

const secret = 'a'.repeat(16) + 'b'.repeat(16)
const otherSecret = 'c'.repeat(40)
const key = joinTokenKey(secret)
const swarm = '1f'.repeat(32)
const otherSwarm = '2e'.repeat(32)
const now = Date.UTC(2030, 0, 1)

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

describe('join tokens', () => {
  it('admits with a valid token for the swarm, and says when it expires', async () => {
    const { token, expiresAt } = await mintJoinToken({ secret, swarm, ttlSeconds: 3600, now })
    expect(expiresAt).toBe(now + 3600_000)
    expect(await verifyJoinToken(key, token, swarm, { now: now + 1000 })).toEqual({ ok: true, expiresAt })
  })

  it('refuses a missing or empty token', async () => {
    expect(await verifyJoinToken(key, undefined, swarm)).toEqual({ ok: false, reason: 'missing' })
    expect(await verifyJoinToken(key, '', swarm)).toEqual({ ok: false, reason: 'missing' })
  })

  it('refuses an expired token, allowing only a little clock skew', async () => {
    const { token } = await mintJoinToken({ secret, swarm, ttlSeconds: 60, now })
    expect((await verifyJoinToken(key, token, swarm, { now: now + 60_000 + 10_000 })).ok).toBe(true)
    expect(await verifyJoinToken(key, token, swarm, { now: now + 60_000 + 31_000 })).toEqual({ ok: false, reason: 'expired' })
  })

  it('refuses a token for another swarm', async () => {
    const { token } = await mintJoinToken({ secret, swarm: otherSwarm, ttlSeconds: 3600, now })
    expect(await verifyJoinToken(key, token, swarm, { now })).toEqual({ ok: false, reason: 'wrong-swarm' })
  })

  it('refuses a token signed with another secret, even an expired one for the wrong swarm', async () => {
    const { token } = await mintJoinToken({ secret: otherSecret, swarm, ttlSeconds: 3600, now })
    expect(await verifyJoinToken(key, token, swarm, { now })).toEqual({ ok: false, reason: 'invalid' })
    const { token: stale } = await mintJoinToken({ secret: otherSecret, swarm: otherSwarm, ttlSeconds: 1, now: now - 3600_000 })
    expect(await verifyJoinToken(key, stale, swarm, { now })).toEqual({ ok: false, reason: 'invalid' })
  })

  it('refuses a token whose payload was changed after signing', async () => {
    const { token } = await mintJoinToken({ secret, swarm: otherSwarm, ttlSeconds: 3600, now })
    const [header, , signature] = token.split('.')
    const forged = `${header}.${base64url({ sub: swarm, aud: JOIN_TOKEN_AUDIENCE, exp: now / 1000 + 3600 })}.${signature}`
    expect(await verifyJoinToken(key, forged, swarm, { now })).toEqual({ ok: false, reason: 'invalid' })
  })

  it.each(['garbage', 'a.b.c', '...', 'eyJhbGciOiJIUzI1NiJ9.e30', `${'x'.repeat(100)}.${'y'.repeat(100)}.z`])('refuses malformed token %s', async (token) => {
    expect(await verifyJoinToken(key, token, swarm, { now })).toEqual({ ok: false, reason: 'invalid' })
  })

  it('refuses a token without exp: a join token must expire', async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(swarm).setAudience(JOIN_TOKEN_AUDIENCE).sign(key)
    expect(await verifyJoinToken(key, token, swarm, { now })).toEqual({ ok: false, reason: 'invalid' })
  })

  it('refuses alg "none" and algorithms other than HS256', async () => {
    const claims = { sub: swarm, aud: JOIN_TOKEN_AUDIENCE, exp: now / 1000 + 3600 }
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`
    expect(await verifyJoinToken(key, unsigned, swarm, { now })).toEqual({ ok: false, reason: 'invalid' })
    const hs512 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS512' }).sign(new Uint8Array(64).fill(7))
    expect(await verifyJoinToken(new Uint8Array(64).fill(7), hs512, swarm, { now })).toEqual({ ok: false, reason: 'invalid' })
  })

  it('refuses a JWT made for something else with the same secret (no join-token audience)', async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(swarm).setExpirationTime(now / 1000 + 3600).sign(key)
    expect(await verifyJoinToken(key, token, swarm, { now })).toEqual({ ok: false, reason: 'invalid' })
  })

  it('refuses secrets shorter than 32 bytes', () => {
    for (const short of ['', 'secret', 'x'.repeat(31)]) {
      expect(() => joinTokenKey(short)).toThrowError(/at least 32 bytes/)
    }
    expect(joinTokenKey('é'.repeat(16)).length).toBe(32) // bytes, not characters
  })

  it('mints only for a swarm id and a positive lifetime', async () => {
    for (const bad of [
      { secret, swarm: 'not-an-id', ttlSeconds: 60 },
      { secret, swarm, ttlSeconds: 0 },
      { secret, swarm, ttlSeconds: Number.NaN },
      { secret: 'short', swarm, ttlSeconds: 60 },
    ]) {
      const err = await mintJoinToken(bad).catch((e: unknown) => e)
      expect(isShoalError(err, 'BAD_INPUT'), String(err)).toBe(true)
    }
  })
})
