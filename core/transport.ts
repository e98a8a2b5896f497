/**
 * A reliable, ordered byte channel to one remote peer (a WebRTC data channel in practice).
 * The engine sends whole frames and watches `bufferedAmount` so it never queues unboundedly.
 */
import { Emitter } from './emitter.ts'

export interface TransportEvents {
  data: [chunk: Uint8Array]
  /** bufferedAmount fell to or below the low-water mark. */
  drain: []
  close: [reason?: Error]
}

export interface Transport {
  readonly bufferedAmount: number
  /** Queues a copy of `frame`: the caller may reuse its buffer as soon as send returns. */
  send(frame: Uint8Array): void
  close(): void
  on<K extends keyof TransportEvents>(event: K, listener: (...args: TransportEvents[K]) => void): () => void
}

/** Two linked in-memory transports, for tests and the simulator. Delivery is asynchronous. */
export function memoryTransportPair(): [Transport, Transport] {
  const a = new MemoryTransport()
  const b = new MemoryTransport()
  a.remote = b
  b.remote = a
  return [a, b]
}

class MemoryTransport extends Emitter<TransportEvents> implements Transport {
  remote: MemoryTransport | undefined
  bufferedAmount = 0
  #closed = false

  /** Queues a copy of `frame`: the caller may reuse its buffer as soon as send returns. */
  send(frame: Uint8Array): void {
    if (this.#closed) throw new Error('transport is closed')
    const copy = frame.slice()
    this.bufferedAmount += copy.length
    queueMicrotask(() => {
      this.bufferedAmount -= copy.length
      if (this.bufferedAmount === 0) this.emit('drain')
      if (this.remote && !this.remote.#closed) this.remote.emit('data', copy)
    })
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    queueMicrotask(() => {
      this.emit('close')
      this.remote?.close()
    })
  }
}
