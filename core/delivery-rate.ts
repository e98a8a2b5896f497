/**
 * Bytes per second a neighbour delivered over a recent window (about a round trip; see
 * deliveryWindowMs in pipeline.ts), where the RateMeter averages over seconds.
 */
import type { Clock } from './clock.ts'

export class DeliveryRate {
  readonly #clock: Pick<Clock, 'now'>
  /** Deliveries still inside the window, oldest first from #head: their times and sizes. */
  #times: number[] = []
  #sizes: number[] = []
  #head = 0
  #sum = 0
  /** The window of the last rate() asked for: deliveries older than it are let go. */
  #windowMs = 1000

  constructor(clock: Pick<Clock, 'now'>) {
    this.#clock = clock
  }

  record(bytes: number): void {
    this.#times.push(this.#clock.now())
    this.#sizes.push(bytes)
    this.#sum += bytes
    this.#trim()
  }

  /** Over the last `windowMs`. */
  rate(windowMs: number): number {
    this.#windowMs = windowMs
    this.#trim()
    return (this.#sum / this.#windowMs) * 1000
  }

  #trim(): void {
    const since = this.#clock.now() - this.#windowMs
    const times = this.#times
    while (this.#head < times.length && times[this.#head]! <= since) this.#sum -= this.#sizes[this.#head++]!
    if (this.#head > 64 && this.#head * 2 > times.length) {
      this.#times = times.slice(this.#head)
      this.#sizes = this.#sizes.slice(this.#head)
      this.#head = 0
    }
  }
}
