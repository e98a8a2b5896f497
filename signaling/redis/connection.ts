/**
 * Connecting to Redis: a URL checked up front, a deadline on the first connect (a tracker that
 * cannot reach its Redis must say so and stop, not listen and fail every request), and, once
 * running, a watch that reports a lost connection once and its return once, while ioredis
 * reconnects by itself.
 */
import { Redis } from 'ioredis'
import type { RedisOptions } from 'ioredis'
import { ShoalError } from '../../core/errors.ts'

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000
/** HRANDFIELD and ZADD GT, used by the membership scripts, arrived in Redis 6.2. */
export const MIN_REDIS_VERSION: readonly [number, number] = [6, 2]

/** The URL with any password replaced, fit for messages and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(not a URL)'
  }
}

/** `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS; anything else is BAD_INPUT. */
export function checkRedisUrl(url: string): void {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    // Not echoed: what cannot be parsed cannot have its password hidden either.
    throw new ShoalError('BAD_INPUT', 'the Redis URL is not a URL; expected redis://[user:password@]host[:port][/db]')
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ShoalError('BAD_INPUT', `the Redis URL ${redactRedisUrl(url)} must start with redis:// (or rediss:// for TLS)`)
  }
}

/** Whether `INFO server` names a Redis at least MIN_REDIS_VERSION. */
export function supportsRedisVersion(info: string): { ok: boolean; version: string } {
  const version = /^redis_version:([0-9.]+)/m.exec(info)?.[1] ?? 'unknown'
  const [major = 0, minor = 0] = version.split('.').map(Number)
  const [wantMajor, wantMinor] = MIN_REDIS_VERSION
  return { ok: major > wantMajor || (major === wantMajor && minor >= wantMinor), version }
}

/** Connects, or throws TRACKER_ERROR naming the (redacted) URL and the cause. */
export async function openRedis(url: string, options: RedisOptions, timeoutMs: number): Promise<Redis> {
  const client = new Redis(url, { ...options, lazyConnect: true, connectTimeout: timeoutMs })
  let cause: unknown
  const remember = (err: unknown) => (cause = err)
  // ioredis reports the real cause (ECONNREFUSED, WRONGPASS) as an event; connect() only says "closed".
  client.on('error', remember)
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      client.connect(),
      new Promise((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
    ])
  } catch (err) {
    client.disconnect()
    const detail = cause instanceof Error ? cause.message : err instanceof Error ? err.message : String(err)
    throw new ShoalError('TRACKER_ERROR', `could not connect to Redis at ${redactRedisUrl(url)}: ${detail}`, { cause: cause ?? err })
  } finally {
    clearTimeout(timer)
    client.off('error', remember)
  }
  return client
}

export type RedisStatus = { state: 'lost'; connection: string; error: unknown } | { state: 'restored'; connection: string }

/**
 * Reports each outage once (ioredis emits an error per failed reconnect attempt) and its end,
 * until the returned function is called (before closing the client on purpose). Also keeps an
 * error listener on the client, without which ioredis prints every error itself.
 */
export function watchRedis(client: Redis, connection: string, onStatus: (status: RedisStatus) => void): () => void {
  let down = false
  let stopped = false
  const lost = (error: unknown) => {
    if (down || stopped) return
    down = true
    onStatus({ state: 'lost', connection, error })
  }
  client.on('error', lost)
  client.on('close', () => lost(new Error('the connection closed')))
  client.on('ready', () => {
    if (!down || stopped) return
    down = false
    onStatus({ state: 'restored', connection })
  })
  return () => {
    stopped = true
  }
}
