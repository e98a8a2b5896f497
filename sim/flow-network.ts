/**
 * The flow model's network: sim-network.ts's rules with chunks of a piece instead of 64 KiB
 * frames and no bytes at all. A host's uplink is shared equally by the pipes with something to
 * send (processor sharing: the limit of the block model's frame-by-frame round robin, so the
 * result does not hang on the chunk size); a chunk crosses the link (latency), then waits its
 * turn on the receiver's downlink (first come, first served). A pipe delivers in order.
 *
 * Control messages (requests, rejects) queue behind the chunks already waiting on their pipe, as
 * a request frame waits behind blocks on a data channel; on an idle pipe they leave at once
 * instead of waiting for an uplink turn, since in the block model that wait is one 64 KiB frame
 * per busy pipe and here it would be one whole chunk per busy pipe.
 */
import { MAX_BLOCK_SIZE } from '../core/wire.ts'
import type { EventQueue } from './event-queue.ts'
import { Ring } from './ring.ts'

/** What a pipe carries: `bytes` of piece data (0 for a control message), handled on arrival. */
export interface PipeItem {
  bytes: number
  deliver(): void
  /** Piece data only: the uplink has sent it, and it will have arrived at `arrivesAt` (virtual ms). */
  departed?(arrivesAt: number): void
}

export class FlowHost {
  /** Virtual ms at which the downlink finishes what it has been given. */
  downFreeAt = 0
  /** Pipes whose head batch is being sent, sharing the uplink equally (processor sharing). */
  readonly #active: FlowPipe[] = []
  /** The lowest finishAt in #active (closed pipes included, as they stay there until a finish): kept as pipes join, so no event scans them all for it. */
  #firstFinish = Infinity
  /** Scratch for #finish. */
  readonly #finished: FlowPipe[] = []
  /** Bytes each active pipe has been served since the start (the sharing's virtual time), as of #updatedAt. */
  #served = 0
  #updatedAt = 0
  /** When the pending finish event fires (-1: none pending). */
  #nextAt = -1

  constructor(
    readonly queue: EventQueue,
    /** Bytes per second. */
    readonly upload: number,
    readonly download: number,
  ) {}

  /** A pipe has items to send: it joins the pipes sharing the uplink. */
  wake(pipe: FlowPipe): void {
    this.#advance()
    this.#start(pipe)
    this.#reschedule()
  }

  /**
   * When a chunk whose last byte reaches this host at `arrival` has fully come down its downlink.
   * The chunk's bytes have been arriving since it began to send, so an idle downlink has taken all
   * but its last block by then (as the block model's downlink takes block after block); a busy one
   * takes the whole chunk after what it already has.
   */
  receive(arrival: number, bytes: number): number {
    const lastBlock = Math.min(bytes, MAX_BLOCK_SIZE)
    const finish = Math.max(arrival + (lastBlock / this.download) * 1000, this.downFreeAt + (bytes / this.download) * 1000)
    this.downFreeAt = finish
    return finish
  }

  /** Starts the pipe's next batch, or sends a batch of control messages alone at once. */
  #start(pipe: FlowPipe): void {
    while (pipe.hasQueued) {
      const bytes = pipe.nextTurnBytes()
      if (bytes > 0) {
        const finishAt = this.#served + bytes
        pipe.finishAt = finishAt
        this.#active.push(pipe)
        if (finishAt < this.#firstFinish) this.#firstFinish = finishAt
        return
      }
      pipe.sendTurn()
    }
  }

  #advance(): void {
    const now = this.queue.now()
    if (this.#active.length > 0) this.#served += (((now - this.#updatedAt) / 1000) * this.upload) / this.#active.length
    this.#updatedAt = now
  }

  /**
   * Makes sure an event fires when the first active pipe finishes. An event already due no later
   * is kept (it looks again when it fires), so a pipe joining, which only delays every finish,
   * costs no new event.
   */
  #reschedule(): void {
    const active = this.#active
    if (active.length === 0) return
    const now = this.queue.now()
    const at = now + Math.max(0, (((this.#firstFinish - this.#served) * active.length) / this.upload) * 1000)
    if (this.#nextAt >= now && this.#nextAt <= at) return
    this.#nextAt = at
    this.queue.at(at, this.#finish)
  }

  /** A finish event fired: unless a later one replaced it, send off every pipe whose batch is through (if any is yet). */
  readonly #finish = (): void => {
    if (this.queue.now() !== this.#nextAt) return
    this.#nextAt = -1
    this.#advance()
    const active = this.#active
    const firstFinish = this.#firstFinish
    // Rounding: a batch within a millionth of a byte per byte of its mark counts as through.
    if (active.length === 0 || firstFinish - this.#served > firstFinish * 1e-9) {
      this.#reschedule()
      return
    }
    const due = Math.max(this.#served, firstFinish)
    this.#served = due
    const finished = this.#finished
    let kept = 0
    let keptFirst = Infinity
    for (let i = 0; i < active.length; i++) {
      const pipe = active[i]!
      const finishAt = pipe.finishAt
      if (finishAt > due && !pipe.closed) {
        active[kept++] = pipe
        if (finishAt < keptFirst) keptFirst = finishAt
      } else finished.push(pipe)
    }
    active.length = kept
    this.#firstFinish = keptFirst
    // Pipes that finished go round again at the end, after the ones still sending.
    for (let i = 0; i < finished.length; i++) {
      const pipe = finished[i]!
      if (pipe.closed) continue
      pipe.sendTurn()
      this.#start(pipe)
    }
    finished.length = 0
    this.#reschedule()
  }
}

/** What FlowPipe's #last holds when nothing waits. */
const SENT: PipeItem = { bytes: 0, deliver() {} }

/** One direction of a connection. */
export class FlowPipe {
  closed = false
  /** The host's served-bytes mark at which this pipe's batch in service is sent. */
  finishAt = 0
  /** What waits for the uplink (Ring: see there why not an array). */
  readonly #queue = new Ring<PipeItem>()
  /**
   * The item queued last while any waits, else SENT: hasQueued and lastQueued(), asked for every
   * neighbour on every piece verified, read this field and nothing else.
   */
  #last: PipeItem = SENT
  /** Virtual ms of the last delivery scheduled, to keep delivery in order. */
  #lastDelivery = 0

  constructor(
    readonly from: FlowHost,
    readonly to: FlowHost,
    readonly latencyMs: number,
  ) {}

  get hasQueued(): boolean {
    return this.#last !== SENT
  }

  /** The item queued last, if it still waits. */
  lastQueued(): PipeItem | undefined {
    return this.#last !== SENT ? this.#last : undefined
  }

  /** Piece data: waits for the uplink. */
  send(item: PipeItem): void {
    if (this.closed) return
    const idle = !this.hasQueued
    this.#queue.push(item)
    this.#last = item
    if (idle) this.from.wake(this)
  }

  /** A control message: behind the data already queued here, else straight onto the link. */
  sendControl(item: PipeItem): void {
    if (this.closed) return
    if (this.hasQueued) {
      this.#queue.push(item)
      this.#last = item
      return
    }
    this.#deliverAt(this.from.queue.now() + this.latencyMs, item)
  }

  /** Bytes of the batch sendTurn() would send next. */
  nextTurnBytes(): number {
    const queue = this.#queue
    for (let i = 0; i < queue.size; i++) {
      const bytes = queue.at(i).bytes
      if (bytes > 0) return bytes
    }
    return 0
  }

  /**
   * The uplink has put one batch on the wire: at most one chunk and the control messages queued
   * right behind it, which leave as soon as it has (SimLink sends them with the next frame, 64 KiB
   * later; a chunk can be 4 MiB). A batch of one item, the usual one, needs no array.
   */
  sendTurn(): void {
    const queue = this.#queue
    let first: PipeItem | undefined
    let batch: PipeItem[] | undefined
    let data: PipeItem | undefined
    let bytes = 0
    while (queue.size > 0) {
      const item = queue.at(0)
      if (item.bytes > 0) {
        if (bytes > 0) break
        bytes = item.bytes
        data = item
      }
      queue.shift()
      if (first === undefined) first = item
      else (batch ??= [first]).push(item)
    }
    // Nothing sent may stay reachable from here (the ring lets go of what it shifts): a pipe sends
    // over a thousand haves in a big run, and kept alive they were most of the heap (a gigabyte at
    // 1000 peers x 5 GB) for the GC to mark.
    if (queue.size === 0) this.#last = SENT
    if (first === undefined || this.closed) return
    const arrivesAt = this.#deliverAt(this.to.receive(this.from.queue.now() + this.latencyMs, bytes), batch ?? first)
    data?.departed?.(arrivesAt)
  }

  /** Schedules delivery no earlier than `at` and never before what this pipe sent earlier; returns when. */
  #deliverAt(at: number, items: PipeItem | PipeItem[]): number {
    const finish = Math.max(at, this.to.downFreeAt, this.#lastDelivery)
    this.#lastDelivery = finish
    this.#inFlight.push(items)
    this.from.queue.at(finish, this.#deliverNext)
    return finish
  }

  /**
   * What is on its way, oldest first: a batch the uplink sent, or a control message sent alone.
   * Deliveries on a pipe come in the order they were scheduled (#lastDelivery never goes back, and
   * same-time events run in scheduling order), so one bound callback takes the oldest.
   */
  readonly #inFlight = new Ring<PipeItem | PipeItem[]>()
  readonly #deliverNext = (): void => {
    const items = this.#inFlight.shift()
    if (this.closed) return
    if (!Array.isArray(items)) items.deliver()
    else for (let i = 0; i < items.length; i++) items[i]!.deliver()
  }

  close(): void {
    this.closed = true
    this.#queue.clear()
    this.#last = SENT
  }
}
