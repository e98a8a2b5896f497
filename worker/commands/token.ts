import { parseDuration } from '../../core/duration.ts'
import { ShoalError } from '../../core/errors.ts'
import { mintJoinToken } from '../../core/join-token.ts'
import { parseShareLink } from '../../core/link.ts'
import { isContentId } from '../../core/manifest.ts'
import type { Reporter } from '../reporter.ts'

export interface TokenOptions {
  /** The tracker's auth secret. */
  secret?: string
  /** Lifetime, e.g. `30m`, `1h`, `7d`. */
  ttl: string
}

/** Mints a join token for the swarm named by an id or a share link, and prints it. */
export async function token(target: string, options: TokenOptions, reporter: Reporter): Promise<void> {
  if (options.secret === undefined) {
    throw new ShoalError('BAD_INPUT', 'give the tracker\'s auth secret with --secret <secret> or the SHOAL_AUTH_SECRET environment variable')
  }
  const swarm = isContentId(target.trim()) ? target.trim() : parseShareLink(target).id
  const minted = await mintJoinToken({ secret: options.secret, swarm, ttlSeconds: parseDuration(options.ttl) })
  // Human output is the bare token, so that TOKEN=$(shoal token …) works.
  reporter.event('token', { token: minted.token, expiresAt: new Date(minted.expiresAt).toISOString() }, minted.token)
}
