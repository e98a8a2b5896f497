/**
 * A Lua script run atomically in Redis: by its SHA-1 (EVALSHA), sending the text only the first
 * time a Redis has not seen it (after a restart or a SCRIPT FLUSH its cache is empty).
 */
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

export type RedisArg = string | number

export class RedisScript {
  readonly #lua: string
  readonly #sha: string

  constructor(lua: string) {
    this.#lua = lua
    this.#sha = createHash('sha1').update(lua).digest('hex')
  }

  async run(redis: Redis, keys: string[], args: RedisArg[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, keys.length, ...keys, ...args)
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err
      return redis.eval(this.#lua, keys.length, ...keys, ...args)
    }
  }
}

/** Prunes a sorted set of expiry times up to `now` (ARGV[1]) and counts what is left. */
export const countLive = new RedisScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZCARD', KEYS[1])
`)

export function asCount(reply: unknown): number {
  const n = Number(reply)
  return Number.isFinite(n) ? n : 0
}
