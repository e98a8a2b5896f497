/**
 * Who may enter a swarm. An open tracker has no admission at all; a private one (`shoal serve
 * --auth-secret`) wants a join token for the swarm on every announce, manifest fetch and
 * publish. A refusal says what is wrong with the token, and nothing about the swarm: an unknown
 * swarm and a forbidden one get the same answer, so a stranger cannot probe which ids exist.
 */
import { joinTokenKey, verifyJoinToken } from '../core/join-token.ts'
import type { TokenRejection } from '../core/join-token.ts'
import { fail } from './guarded.ts'
import type { Failure } from './guarded.ts'

export interface SwarmAdmission {
  /** Undefined when the token admits its holder to `swarm`; otherwise the NOT_ADMITTED answer. */
  check(swarm: string, token: string | undefined): Promise<Failure | undefined>
}

const REASONS: Record<TokenRejection, string> = {
  missing: 'no join token was given, and this tracker admits peers to a swarm only with one',
  expired: 'the join token has expired',
  'wrong-swarm': 'the join token is for another swarm',
  invalid: 'the join token is not valid on this tracker (signed with another secret, or malformed)',
}

export function notAdmitted(reason: TokenRejection): Failure {
  return fail('NOT_ADMITTED', `not admitted to the swarm: ${REASONS[reason]}`)
}

/** Refuses a secret shorter than MIN_SECRET_BYTES (a BAD_INPUT ShoalError) before anything listens. */
export function tokenAdmission(secret: string): SwarmAdmission {
  const key = joinTokenKey(secret)
  return {
    async check(swarm, token) {
      const result = await verifyJoinToken(key, token, swarm)
      return result.ok ? undefined : notAdmitted(result.reason)
    },
  }
}
