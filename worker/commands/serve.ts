import { ShoalError } from '../../core/errors.ts'
import { parseAllowedOrigins } from '../../signaling/allowed-origins.ts'
import { createLogger } from '../../signaling/logger.ts'
import type { LogLevel } from '../../signaling/logger.ts'
import { startTrackerServer } from '../../signaling/server.ts'
import type { Reporter } from '../reporter.ts'
import { whenAborted } from '../termination.ts'

export interface ServeOptions {
  host: string
  port: number
  /** Makes every swarm private (join tokens signed with it). */
  authSecret?: string
  /** Of the JSON log lines on stderr; info by default. */
  logLevel?: LogLevel
  /** A Redis URL: share state with every tracker process given the same one. */
  redis?: string
  /** With `redis`: seconds a peer stays in a swarm after its last announce. */
  peerTtl?: string
  /** `--allow-origin` values, each one origin or a comma-separated list. */
  allowOrigin?: string[]
}

export async function serve(options: ServeOptions, reporter: Reporter, signal: AbortSignal): Promise<void> {
  const logger = createLogger({ level: options.logLevel })
  // An empty REDIS_URL (a blank line in an env file) means none, not a malformed URL.
  const redis = options.redis ? { url: options.redis, memberTtlMs: peerTtlMs(options.peerTtl) } : undefined
  if (!redis && options.peerTtl !== undefined) throw new ShoalError('BAD_INPUT', '--peer-ttl applies only with --redis (or REDIS_URL)')
  const allowOrigins = parseAllowedOrigins(options.allowOrigin ?? [])
  const server = await startTrackerServer({ host: options.host, port: options.port, authSecret: options.authSecret, logger, redis, allowOrigins })
  const isPrivate = options.authSecret !== undefined
  reporter.event(
    'listening',
    { url: server.url, private: isPrivate, redis: redis !== undefined, allowOrigins },
    `Shoal tracker and web app listening on ${server.url}${isPrivate ? ' (private: every swarm needs a join token)' : ''}${redis ? ' (sharing state through Redis)' : ''}`,
  )
  await whenAborted(signal)
  await server.close()
  logger.info('stopped')
  reporter.event('stopped', {}, 'Stopped.')
}

function peerTtlMs(seconds: string | undefined): number | undefined {
  if (seconds === undefined) return undefined
  const n = Number(seconds)
  if (!Number.isFinite(n) || n <= 0) throw new ShoalError('BAD_INPUT', `--peer-ttl must be a number of seconds, not "${seconds}"`)
  return n * 1000
}
