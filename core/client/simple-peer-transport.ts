/** The Transport seam over a connected simple-peer data channel (browser or Node + wrtc). */
import type SimplePeer from 'simple-peer'
import { Emitter } from '../emitter.ts'
import type { Transport, TransportEvents } from '../transport.ts'

/** Resume sending once the channel's queue falls to this. */
const LOW_WATER_MARK = 4 * 1024 * 1024
/** Where the channel has no 'bufferedamountlow' event (@roamhq/wrtc), check this often. */
const DRAIN_POLL_MS = 5

/** simple-peer internals we hook to get a real 'bufferedamountlow' signal at our threshold. */
interface SimplePeerInternals {
  _channel?: { bufferedAmountLowThreshold?: number; bufferedAmount: number }
  _onChannelBufferedAmountLow: () => void
}

export class SimplePeerTransport extends Emitter<TransportEvents> implements Transport {
  readonly #peer: SimplePeer.Instance
  #closed = false
  readonly #nativeDrain: boolean
  #drainPoll: ReturnType<typeof setInterval> | undefined

  /** `peer` must have emitted 'connect'. */
  constructor(peer: SimplePeer.Instance) {
    super()
    this.#peer = peer
    const internals = peer as unknown as SimplePeerInternals
    // simple-peer's own threshold (64 KiB) is tuned for its stream writes, far too small to keep
    // a fast channel busy; we send with send() and watch the queue ourselves.
    this.#nativeDrain = typeof internals._channel?.bufferedAmountLowThreshold === 'number'
    if (this.#nativeDrain) internals._channel!.bufferedAmountLowThreshold = LOW_WATER_MARK
    const original = internals._onChannelBufferedAmountLow.bind(peer)
    internals._onChannelBufferedAmountLow = () => {
      original()
      this.emit('drain')
    }
    peer.on('data', (chunk: Uint8Array) => {
      this.emit('data', new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    })
    peer.on('close', () => this.#onClose())
    peer.on('error', (err: Error) => this.#onClose(err))
  }

  get bufferedAmount(): number {
    return this.#peer.bufferSize
  }

  send(frame: Uint8Array): void {
    this.#peer.send(frame)
    if (!this.#nativeDrain && !this.#drainPoll && this.bufferedAmount > LOW_WATER_MARK) {
      this.#drainPoll = setInterval(() => {
        if (this.bufferedAmount > LOW_WATER_MARK) return
        this.#stopDrainPoll()
        this.emit('drain')
      }, DRAIN_POLL_MS)
    }
  }

  close(): void {
    this.#peer.destroy()
    this.#onClose()
  }

  #stopDrainPoll(): void {
    clearInterval(this.#drainPoll)
    this.#drainPoll = undefined
  }

  #onClose(reason?: Error): void {
    if (this.#closed) return
    this.#closed = true
    this.#stopDrainPoll()
    this.emit('close', reason)
  }
}
