/** How the CLI gets into a private tracker's swarms: a `--token`, or the `--secret` to mint its own. */
import type { JoinTokenSource } from '../core/client/tracker-client.ts'
import { isShoalError, ShoalError } from '../core/errors.ts'
import { joinTokenKey, mintJoinToken } from '../core/join-token.ts'

/** Tokens minted from the secret live briefly: a fresh one is minted for every request anyway. */
const SELF_MINTED_TTL_SECONDS = 10 * 60

export interface AdmissionFlags {
  token?: string
  /** The tracker's auth secret (operator-run peers only). */
  secret?: string
}

/** A given token wins over a secret. The secret is checked at once, before any slow work. */
export function tokenSource(flags: AdmissionFlags): JoinTokenSource | undefined {
  if (flags.token !== undefined) return flags.token
  const { secret } = flags
  if (secret === undefined) return undefined
  joinTokenKey(secret)
  return async (swarm) => (await mintJoinToken({ secret, swarm, ttlSeconds: SELF_MINTED_TTL_SECONDS })).token
}

/** Adds what to do on the command line to a tracker's NOT_ADMITTED. */
export async function explainAdmission<T>(work: Promise<T>, hint: string): Promise<T> {
  try {
    return await work
  } catch (err) {
    if (isShoalError(err, 'NOT_ADMITTED')) throw new ShoalError('NOT_ADMITTED', `${err.message}; ${hint}`, { cause: err })
    throw err
  }
}
