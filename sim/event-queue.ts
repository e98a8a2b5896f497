/**
 * A synchronous discrete-event clock for the flow model. SimClock yields to the promise queue
 * after every instant so real Swarms can run on it; the flow model has no promises, and that
 * yield (a macrotask, microseconds each) would cost more than the millions of events themselves.
 * Implements the engine's Clock, so RateMeter and the connector's timers run on it unchanged.
 */
import type { Clock } from '../core/clock.ts'

interface Event {
  at: number
  seq: number
  fn: (() => void) | undefined
}

export class EventQueue implements Clock {
  #now = 0
  #seq = 0
  /** Binary min-heap on (at, seq): same-time events run in the order they were scheduled. */
  readonly #heap: Event[] = []
  /** Events run so far (for the report: what the run cost). */
  events = 0

  now(): number {
    return this.#now
  }

  /** Schedules `fn` at absolute virtual time `at` (ms); returns a handle for clearTimeout. */
  at(at: number, fn: () => void): Event {
    const event: Event = { at: at > this.#now ? at : this.#now, seq: ++this.#seq, fn }
    const heap = this.#heap
    let i = heap.length
    heap.push(event)
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = heap[parent]!
      if (p.at < event.at || (p.at === event.at && p.seq < event.seq)) break
      heap[i] = p
      i = parent
    }
    heap[i] = event
    return event
  }

  setTimeout(fn: () => void, ms: number): unknown {
    return this.at(this.#now + Math.max(0, ms), fn)
  }

  clearTimeout(handle: unknown): void {
    if (handle !== undefined) (handle as Event).fn = undefined
  }

  /** Runs events in time order until `done()` holds, nothing is left, or time passes `limitMs`. */
  run(done: () => boolean, limitMs = Infinity): void {
    const heap = this.#heap
    while (heap.length > 0 && !done()) {
      if (heap[0]!.at > limitMs) break
      const event = this.#pop()
      this.#now = event.at
      if (event.fn === undefined) continue
      this.events++
      event.fn()
    }
  }

  #pop(): Event {
    const heap = this.#heap
    const top = heap[0]!
    const last = heap.pop()!
    const n = heap.length
    if (n === 0) return top
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      let m = l
      if (r < n && earlier(heap[r]!, heap[l]!)) m = r
      if (!earlier(heap[m]!, last)) break
      heap[i] = heap[m]!
      i = m
    }
    heap[i] = last
    return top
  }
}

function earlier(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}
