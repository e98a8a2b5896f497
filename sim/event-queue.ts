/**
 * A synchronous discrete-event clock for the flow model. SimClock yields to the promise queue
 * after every instant so real Swarms can run on it; the flow model has no promises, and that
 * yield (a macrotask, microseconds each) would cost more than the millions of events themselves.
 * Implements the engine's Clock, so RateMeter and the connector's timers run on it unchanged.
 */
import type { Clock } from '../core/clock.ts'

/** A cancellable event (setTimeout's handle); `at` schedules a bare callback, which costs no object. */
class Timer {
  constructor(public fn: (() => void) | undefined) {}
}

type Item = (() => void) | Timer

/** Heap arity: a 4-ary heap is half as deep as a binary one, and a node's children sit side by side. */
const D = 4
/** Most lanes kept (one per distinct delay); a delay beyond them goes to the heap. */
const MAX_LANES = 16

/**
 * Events scheduled a fixed delay after the time they were scheduled: they come due in the order
 * they were scheduled (time never goes back), so a first-in first-out ring holds them in order
 * and costs nothing to keep so. Parallel arrays, as the heap's.
 */
class Lane {
  #at = new Float64Array(64)
  #seq = new Float64Array(64)
  #items: (Item | undefined)[] = new Array<Item | undefined>(64).fill(undefined)
  #head = 0
  size = 0

  constructor(readonly delayMs: number) {}

  push(at: number, seq: number, item: Item): void {
    if (this.size === this.#at.length) this.#grow()
    const i = (this.#head + this.size++) & (this.#at.length - 1)
    this.#at[i] = at
    this.#seq[i] = seq
    this.#items[i] = item
  }

  headAt(): number {
    return this.#at[this.#head]!
  }

  headSeq(): number {
    return this.#seq[this.#head]!
  }

  shift(): Item {
    const head = this.#head
    const item = this.#items[head]!
    this.#items[head] = undefined
    this.#head = (head + 1) & (this.#at.length - 1)
    this.size--
    return item
  }

  #grow(): void {
    const n = this.#at.length
    const at = new Float64Array(2 * n)
    const seq = new Float64Array(2 * n)
    const items = new Array<Item | undefined>(2 * n).fill(undefined)
    for (let k = 0; k < n; k++) {
      const i = (this.#head + k) & (n - 1)
      at[k] = this.#at[i]!
      seq[k] = this.#seq[i]!
      items[k] = this.#items[i]
    }
    this.#at = at
    this.#seq = seq
    this.#items = items
    this.#head = 0
  }
}

export class EventQueue implements Clock {
  #now = 0
  #seq = 0
  /**
   * Min-heap on (at, seq), so same-time events run in the order they were scheduled, kept in
   * parallel arrays rather than an object per event: a big run schedules millions of events,
   * and sifting through typed arrays neither chases pointers nor leaves garbage behind.
   */
  #at = new Float64Array(1024)
  #order = new Float64Array(1024)
  #items: Item[] = []
  #size = 0
  /**
   * Besides the heap, a lane per fixed delay (setTimeout, after()): most events in a big run are
   * a latency or a timeout after now, and in lanes they neither sift through the heap nor make it
   * deeper (a 1000-peer run held 100 k events in its heap, a third of them dial timeouts).
   */
  readonly #lanes: Lane[] = []
  /** Events run so far (for the report: what the run cost). */
  events = 0

  now(): number {
    return this.#now
  }

  /** Schedules `fn` at absolute virtual time `at` (ms). */
  at(at: number, fn: () => void): void {
    this.#push(at > this.#now ? at : this.#now, fn)
  }

  /** Schedules `fn` `delayMs` from now. */
  after(delayMs: number, fn: () => void): void {
    this.#schedule(Math.max(0, delayMs), fn)
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = new Timer(fn)
    this.#schedule(Math.max(0, ms), timer)
    return timer
  }

  #schedule(delayMs: number, item: Item): void {
    const lanes = this.#lanes
    for (let i = 0; i < lanes.length; i++) {
      const lane = lanes[i]!
      if (lane.delayMs === delayMs) {
        lane.push(this.#now + delayMs, ++this.#seq, item)
        return
      }
    }
    if (lanes.length < MAX_LANES) {
      const lane = new Lane(delayMs)
      lanes.push(lane)
      lane.push(this.#now + delayMs, ++this.#seq, item)
      return
    }
    this.#push(this.#now + delayMs, item)
  }

  clearTimeout(handle: unknown): void {
    if (handle !== undefined) (handle as Timer).fn = undefined
  }

  /** Runs events in time order until `done()` holds, nothing is left, or time passes `limitMs`. */
  run(done: () => boolean, limitMs = Infinity): void {
    const lanes = this.#lanes
    while (!done()) {
      // The earliest of the heap's top and the lanes' heads, by (at, seq).
      let at = Infinity
      let seq = Infinity
      if (this.#size > 0) {
        at = this.#at[0]!
        seq = this.#order[0]!
      }
      let from: Lane | undefined
      for (let i = 0; i < lanes.length; i++) {
        const lane = lanes[i]!
        if (lane.size === 0) continue
        const laneAt = lane.headAt()
        if (laneAt < at || (laneAt === at && lane.headSeq() < seq)) {
          at = laneAt
          seq = lane.headSeq()
          from = lane
        }
      }
      if (at === Infinity || at > limitMs) break
      this.#now = at
      const item = from ? from.shift() : this.#pop()
      if (typeof item === 'function') {
        this.events++
        item()
        continue
      }
      const fn = item.fn
      if (fn === undefined) continue
      this.events++
      fn()
    }
  }

  #push(at: number, item: Item): void {
    if (this.#size === this.#at.length) this.#grow()
    const heapAt = this.#at
    const order = this.#order
    const items = this.#items
    const seq = ++this.#seq
    let i = this.#size++
    while (i > 0) {
      const parent = ((i - 1) / D) | 0
      const pAt = heapAt[parent]!
      if (pAt < at || (pAt === at && order[parent]! < seq)) break
      heapAt[i] = pAt
      order[i] = order[parent]!
      items[i] = items[parent]!
      i = parent
    }
    heapAt[i] = at
    order[i] = seq
    items[i] = item
  }

  #pop(): Item {
    const heapAt = this.#at
    const order = this.#order
    const items = this.#items
    const top = items[0]!
    const n = --this.#size
    const lastAt = heapAt[n]!
    const lastSeq = order[n]!
    const last = items[n]!
    items[n] = undefined as unknown as Item
    if (n === 0) return top
    let i = 0
    for (;;) {
      const first = D * i + 1
      if (first >= n) break
      // The earliest child.
      let m = first
      let mAt = heapAt[first]!
      let mSeq = order[first]!
      const end = first + D < n ? first + D : n
      for (let c = first + 1; c < end; c++) {
        const cAt = heapAt[c]!
        if (cAt < mAt || (cAt === mAt && order[c]! < mSeq)) {
          m = c
          mAt = cAt
          mSeq = order[c]!
        }
      }
      if (lastAt < mAt || (lastAt === mAt && lastSeq < mSeq)) break
      heapAt[i] = mAt
      order[i] = mSeq
      items[i] = items[m]!
      i = m
    }
    heapAt[i] = lastAt
    order[i] = lastSeq
    items[i] = last
    return top
  }

  #grow(): void {
    const at = new Float64Array(this.#at.length * 2)
    at.set(this.#at)
    this.#at = at
    const order = new Float64Array(this.#order.length * 2)
    order.set(this.#order)
    this.#order = order
  }
}
