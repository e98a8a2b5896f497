/** A Clock whose time moves only when a test advances it; due timers run in order. */
import { setImmediate as macrotask } from 'node:timers/promises'
import type { Clock } from '../../core/clock.ts'

interface Timer {
  at: number
  seq: number
  fn: () => void
}

export class VirtualClock implements Clock {
  #now: number
  #seq = 0
  readonly #timers = new Map<number, Timer>()

  constructor(start = 1_000_000) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const seq = ++this.#seq
    this.#timers.set(seq, { at: this.#now + Math.max(0, ms), seq, fn })
    return seq
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number)
  }

  /** Moves time forward by `ms`, running each due timer and letting promises settle between. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms
    for (;;) {
      await settle()
      const next = [...this.#timers.values()].filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
      if (!next) break
      this.#timers.delete(next.seq)
      this.#now = next.at
      next.fn()
    }
    this.#now = target
    await settle()
  }
}

/** Lets pending promise chains (including WebCrypto digests) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await macrotask()
}
