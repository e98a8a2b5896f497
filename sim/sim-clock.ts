/**
 * A discrete-event clock: time jumps to the next scheduled event, never waits. It implements the
 * engine's Clock, so real Swarms run on it; between two instants every pending promise chain
 * (store reads, piece verification) runs to completion, as it would between network events.
 */
import { setImmediate as macrotask } from 'node:timers/promises'
import type { Clock } from '../core/clock.ts'

interface Event {
  at: number
  seq: number
  fn: () => void
}

export class SimClock implements Clock {
  #now = 0
  #seq = 0
  /** Binary min-heap on (at, seq): same-time events run in the order they were scheduled. */
  readonly #heap: Event[] = []
  readonly #cancelled = new Set<number>()
  /** Events run so far (for the report: what the run cost). */
  events = 0

  now(): number {
    return this.#now
  }

  setTimeout(fn: () => void, ms: number): unknown {
    return this.at(this.#now + Math.max(0, ms), fn)
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.#cancelled.add(handle)
  }

  /** Schedules `fn` at absolute virtual time `at` (ms); returns a handle for clearTimeout. */
  at(at: number, fn: () => void): number {
    const event = { at: Math.max(at, this.#now), seq: ++this.#seq, fn }
    const heap = this.#heap
    heap.push(event)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(event, heap[parent]!)) break
      heap[i] = heap[parent]!
      i = parent
    }
    heap[i] = event
    return event.seq
  }

  /** Runs events in time order until `done()` holds, nothing is left, or time passes `limitMs`. */
  async run(done: () => boolean, limitMs = Infinity): Promise<void> {
    await macrotask()
    while (!done() && this.#heap.length > 0) {
      const at = this.#heap[0]!.at
      if (at > limitMs) break
      this.#now = at
      // Every event due at this instant, then one turn for the promises they started.
      while (this.#heap.length > 0 && this.#heap[0]!.at === at) {
        const event = this.#pop()
        if (this.#cancelled.delete(event.seq)) continue
        this.events++
        event.fn()
      }
      await macrotask()
    }
  }

  #pop(): Event {
    const heap = this.#heap
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        const candidate = (k: number) => (k === i ? last : heap[k]!)
        if (l < heap.length && before(heap[l]!, candidate(m))) m = l
        if (r < heap.length && before(heap[r]!, candidate(m))) m = r
        if (m === i) break
        heap[i] = heap[m]!
        i = m
      }
      heap[i] = last
    }
    return top
  }
}

function before(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}
