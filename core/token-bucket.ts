/**
 * A token bucket of bytes: `rate` tokens a second, holding at most `burst`. One bucket per
 * direction is shared by every swarm in a process, so a limit is global, as users expect.
 */
import { type Clock, systemClock } from './clock.ts'
import { ShoalError } from './errors.ts'

export interface TokenBucketOptions {
  /** Bytes per second. */
  rate: number
  /** The most that may pass at once after an idle spell; defaults to an eighth of a second's worth, at least two blocks. */
  burst?: number
  clock?: Clock
}

const MIN_BURST = 128 * 1024

export class TokenBucket {
  readonly rate: number
  readonly burst: number
  readonly #clock: Clock
  #tokens: number
  #updatedAt: number

  constructor(options: TokenBucketOptions) {
    if (!(options.rate > 0) || !Number.isFinite(options.rate)) throw new ShoalError('BAD_INPUT', 'a rate limit must be a positive number of bytes per second')
    this.rate = options.rate
    this.burst = options.burst ?? Math.max(MIN_BURST, Math.ceil(options.rate / 8))
    this.#clock = options.clock ?? systemClock
    this.#tokens = this.burst
    this.#updatedAt = this.#clock.now()
  }

  /** Tokens available now (may be negative after an oversized take). */
  get available(): number {
    this.#refill()
    return this.#tokens
  }

  /**
   * Takes `bytes` if the bucket holds them (or is full, for a take larger than the burst) and
   * answers 0; otherwise takes nothing and answers the milliseconds until it would succeed.
   */
  tryTake(bytes: number): number {
    this.#refill()
    const needed = Math.min(bytes, this.burst)
    if (this.#tokens >= needed) {
      this.#tokens -= bytes
      return 0
    }
    return Math.ceil(((needed - this.#tokens) / this.rate) * 1000)
  }

  /** Waits until `bytes` may pass, then takes them. */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = this.tryTake(bytes)
      if (wait === 0) return
      await new Promise<void>((resolve, reject) => {
        const handle = this.#clock.setTimeout(() => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        }, wait)
        const onAbort = () => {
          this.#clock.clearTimeout(handle)
          reject(new ShoalError('ABORTED', 'cancelled while waiting for bandwidth'))
        }
        if (signal?.aborted) return onAbort()
        signal?.addEventListener('abort', onAbort, { once: true })
      })
    }
  }

  #refill(): void {
    const now = this.#clock.now()
    const elapsed = (now - this.#updatedAt) / 1000
    this.#updatedAt = now
    this.#tokens = Math.min(this.burst, this.#tokens + elapsed * this.rate)
  }
}
