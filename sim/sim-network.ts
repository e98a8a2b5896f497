/**
 * A simulated network of hosts, each with an upload and a download capacity, joined by links
 * with a one-way latency. A frame sent on a link waits its turn on the sender's uplink (the
 * sender's links take turns frame by frame, so they share its upload capacity fairly), crosses
 * the link (latency), then waits its turn on the receiver's downlink (first come, first served).
 * Frames on one link arrive in order, as on a data channel. Links expose bufferedAmount (bytes
 * not yet on the wire) and 'drain', like the real transport.
 */
import { Emitter } from '../core/emitter.ts'
import type { Transport, TransportEvents } from '../core/transport.ts'
import type { SimClock } from './sim-clock.ts'

/** 'drain' fires when bufferedAmount falls to this, as the WebRTC transport's threshold. */
export const LOW_WATER_MARK = 4 * 1024 * 1024
/** Control frames below this size ride along with the next frame in one uplink turn. */
const BATCH_BYTES = 1024

export interface HostOptions {
  /** Bytes per second. */
  upload: number
  /** Bytes per second. */
  download: number
}

export class SimHost {
  /** Virtual ms at which the downlink finishes what it has been given. */
  downFreeAt = 0
  /** Bytes that left this host and that it received (all frames, control included). */
  sentBytes = 0
  receivedBytes = 0
  readonly #active: SimLink[] = []
  #sending = false

  constructor(
    readonly clock: SimClock,
    readonly options: HostOptions,
  ) {}

  /** A link has frames to send: give it a turn on the uplink. */
  wake(link: SimLink): void {
    this.#active.push(link)
    if (!this.#sending) this.#sendNext()
  }

  #sendNext(): void {
    const link = this.#active.shift()
    if (!link) {
      this.#sending = false
      return
    }
    this.#sending = true
    const frames = link.takeTurn(BATCH_BYTES)
    if (link.hasQueued) this.#active.push(link)
    let bytes = 0
    for (const frame of frames) bytes += frame.length
    this.sentBytes += bytes
    const end = this.clock.now() + (bytes / this.options.upload) * 1000
    this.clock.at(end, () => {
      link.sent(bytes, frames)
      this.#sendNext()
    })
  }

  /** When a frame arriving at `arrival` has fully come down this host's downlink. */
  receive(arrival: number, bytes: number): number {
    const finish = Math.max(arrival, this.downFreeAt) + (bytes / this.options.download) * 1000
    this.downFreeAt = finish
    this.receivedBytes += bytes
    return finish
  }
}

/** One direction of a connection is a SimLink; the Transport pair is two of them. */
export class SimLink extends Emitter<TransportEvents> implements Transport {
  remote!: SimLink
  bufferedAmount = 0
  #queue: Uint8Array[] = []
  #head = 0
  #closed = false
  /** Virtual ms of the last delivery scheduled, to keep delivery in order. */
  #lastDelivery = 0

  constructor(
    readonly host: SimHost,
    readonly latencyMs: number,
  ) {
    super()
  }

  get hasQueued(): boolean {
    return this.#head < this.#queue.length
  }

  get closed(): boolean {
    return this.#closed
  }

  send(frame: Uint8Array): void {
    if (this.#closed) throw new Error('transport is closed')
    const idle = !this.hasQueued
    this.#queue.push(frame.slice())
    this.bufferedAmount += frame.length
    if (idle) this.host.wake(this)
  }

  /** The frames of one uplink turn: small ones plus at most one larger one. */
  takeTurn(batchBytes: number): Uint8Array[] {
    const frames: Uint8Array[] = []
    let bytes = 0
    while (this.#head < this.#queue.length && bytes < batchBytes) {
      const frame = this.#queue[this.#head++]!
      frames.push(frame)
      bytes += frame.length
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    }
    return frames
  }

  /** The uplink has put `frames` on the wire. */
  sent(bytes: number, frames: Uint8Array[]): void {
    if (this.#closed) return
    const before = this.bufferedAmount
    this.bufferedAmount -= bytes
    const clock = this.host.clock
    const remote = this.remote
    const finish = Math.max(remote.host.receive(clock.now() + this.latencyMs, bytes), this.#lastDelivery)
    this.#lastDelivery = finish
    clock.at(finish, () => {
      if (remote.#closed) return
      for (const frame of frames) remote.emit('data', frame)
    })
    if (before > LOW_WATER_MARK && this.bufferedAmount <= LOW_WATER_MARK) this.emit('drain')
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#queue = []
    this.#head = 0
    this.bufferedAmount = 0
    const clock = this.host.clock
    clock.at(clock.now(), () => {
      this.emit('close')
      this.remote.close()
    })
  }
}

/** A connection between two hosts: returns the transport each end uses. */
export function connect(a: SimHost, b: SimHost, latencyMs: number): [Transport, Transport] {
  const ab = new SimLink(a, latencyMs)
  const ba = new SimLink(b, latencyMs)
  ab.remote = ba
  ba.remote = ab
  return [ab, ba]
}
