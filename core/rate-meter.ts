/** Bytes per second over a sliding window of one-second buckets. */
import type { Clock } from './clock.ts'

const WINDOW_SECONDS = 5
/**
 * A young meter divides by at least this, so its first few blocks do not read as an absurd rate.
 * About one round trip: pipelines are sized from the reading, and a floor of a quarter second
 * kept a new connection at a few blocks in flight for its first quarter second (in a 1 s
 * download at 5 GB/s that was a fifth of the time; see the simulator).
 */
const MIN_ELAPSED_SECONDS = 0.05

export class RateMeter {
  readonly #clock: Pick<Clock, 'now'>
  readonly #buckets = new Float64Array(WINDOW_SECONDS)
  #second = 0
  #total = 0
  readonly #startedAt: number

  constructor(clock: Pick<Clock, 'now'>) {
    this.#clock = clock
    this.#startedAt = clock.now()
    this.#second = Math.floor(this.#startedAt / 1000)
  }

  get total(): number {
    return this.#total
  }

  record(bytes: number): void {
    this.#advance()
    this.#buckets[this.#second % WINDOW_SECONDS]! += bytes
    this.#total += bytes
  }

  /**
   * Average over the window, or since start when that is shorter (but at least
   * MIN_ELAPSED_SECONDS). A young meter must not under-read: pipelines are sized from it and
   * would ramp up slowly.
   */
  rate(): number {
    this.#advance()
    const now = this.#clock.now()
    const elapsed = Math.min(WINDOW_SECONDS, (now - this.#startedAt) / 1000)
    if (elapsed <= 0) return 0
    let sum = 0
    for (const b of this.#buckets) sum += b
    return sum / Math.max(elapsed, MIN_ELAPSED_SECONDS)
  }

  #advance(): void {
    const second = Math.floor(this.#clock.now() / 1000)
    const steps = Math.min(second - this.#second, WINDOW_SECONDS)
    for (let i = 1; i <= steps; i++) this.#buckets[(this.#second + i) % WINDOW_SECONDS] = 0
    if (second > this.#second) this.#second = second
  }
}
