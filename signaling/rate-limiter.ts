/**
 * A token bucket: `burst` events at once, refilled at `perSecond`. One per connection, so a
 * misbehaving client is slowed down without touching anyone else.
 */

export interface TokenBucketOptions {
  burst: number
  perSecond: number
  now?: () => number
}

export class TokenBucket {
  readonly #burst: number
  readonly #perMs: number
  readonly #now: () => number
  #tokens: number
  #updatedAt: number

  constructor(options: TokenBucketOptions) {
    this.#burst = options.burst
    this.#perMs = options.perSecond / 1000
    this.#now = options.now ?? Date.now
    this.#tokens = options.burst
    this.#updatedAt = this.#now()
  }

  /** Spends `cost` tokens if there are that many; false means the event is over the limit. */
  take(cost = 1): boolean {
    const now = this.#now()
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) * this.#perMs)
    this.#updatedAt = now
    if (this.#tokens < cost) return false
    this.#tokens -= cost
    return true
  }
}
