/**
 * Join tokens for private swarms: a JWT signed with HS256 (by `jose`, not by hand) that names
 * one swarm and expires. The tracker's operator holds the secret; a portal backend mints a
 * token for each person it lets in, and the tracker admits a peer to a swarm (announce, fetch
 * or publish its manifest) only with a valid, unexpired token for that very swarm.
 *
 * Claims: `sub` the swarm id (64 lowercase hex), `aud` "shoal:swarm" (so that another JWT
 * signed with the same secret is never mistaken for a join token), `exp` (required), `iat`.
 */
import { SignJWT, errors, jwtVerify } from 'jose'
import { ShoalError } from './errors.ts'
import { isContentId } from './manifest.ts'

/** HS256 is only as strong as its key: shorter secrets are refused outright. */
export const MIN_SECRET_BYTES = 32
export const JOIN_TOKEN_AUDIENCE = 'shoal:swarm'
const ALGORITHM = 'HS256'
/** Clocks of the minting backend and the tracker disagree a little. */
const CLOCK_TOLERANCE_SECONDS = 30

export interface MintOptions {
  secret: string
  swarm: string
  ttlSeconds: number
  /** Milliseconds since the epoch; for tests. */
  now?: number
}

export interface MintedToken {
  token: string
  /** Milliseconds since the epoch. */
  expiresAt: number
}

/** Why a token does not admit its holder. Depends on the token alone, never on the swarm's state. */
export type TokenRejection = 'missing' | 'expired' | 'wrong-swarm' | 'invalid'

export type TokenCheck = { ok: true; expiresAt: number } | { ok: false; reason: TokenRejection }

/** Checks and encodes a secret; a short one is a BAD_INPUT the operator must fix. */
export function joinTokenKey(secret: string): Uint8Array {
  const key = new TextEncoder().encode(secret)
  if (key.length < MIN_SECRET_BYTES) {
    throw new ShoalError(
      'BAD_INPUT',
      `the auth secret must be at least ${MIN_SECRET_BYTES} bytes (it is ${key.length}); generate one with: openssl rand -hex 32`,
    )
  }
  return key
}

export async function mintJoinToken(options: MintOptions): Promise<MintedToken> {
  const { swarm, ttlSeconds } = options
  if (!isContentId(swarm)) throw new ShoalError('BAD_INPUT', `${swarm} is not a swarm id (64 lowercase hex characters)`)
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new ShoalError('BAD_INPUT', `a token's lifetime must be positive, not ${ttlSeconds} s`)
  const key = joinTokenKey(options.secret)
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000)
  const exp = nowSeconds + Math.ceil(ttlSeconds)
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(swarm)
    .setAudience(JOIN_TOKEN_AUDIENCE)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(exp)
    .sign(key)
  return { token, expiresAt: exp * 1000 }
}

/** Never throws for a bad token: every way a token can be wrong is a TokenCheck. */
export async function verifyJoinToken(
  key: Uint8Array,
  token: string | undefined,
  swarm: string,
  options: { now?: number } = {},
): Promise<TokenCheck> {
  if (token === undefined || token === '') return { ok: false, reason: 'missing' }
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      audience: JOIN_TOKEN_AUDIENCE,
      requiredClaims: ['exp', 'sub'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      ...(options.now !== undefined ? { currentDate: new Date(options.now) } : {}),
    })
    // Checked after the signature: only a genuine token earns the more specific answer.
    if (payload.sub !== swarm) return { ok: false, reason: 'wrong-swarm' }
    return { ok: true, expiresAt: (payload.exp as number) * 1000 }
  } catch (err) {
    // Anything else (bad signature, another algorithm, malformed, no exp) denies: the input is untrusted.
    return { ok: false, reason: err instanceof errors.JWTExpired ? 'expired' : 'invalid' }
  }
}
