/**
 * The wire protocol with one remote peer: handshake, what it has, the requests in flight to it,
 * and the queue of requests it made to us. Scheduling decisions belong to the Swarm.
 */
import { Bitfield } from './bitfield.ts'
import type { Clock } from './clock.ts'
import { Emitter } from './emitter.ts'
import { ShoalError } from './errors.ts'
import type { Transport } from './transport.ts'
import { type BlockRef, FrameDecoder, MAX_BLOCK_SIZE, type Message, PROTOCOL_VERSION, encodeMessage } from './wire.ts'

/** What the session needs to answer requests: the local pieces. */
export interface PieceSource {
  readonly verified: Bitfield
  pieceLength(piece: number): number
  read(piece: number, offset: number, length: number): Promise<Uint8Array>
}

export interface PeerSessionOptions {
  swarmId: string
  localPeerId: string
  /** The peer id the signaling layer says is on the other end; the handshake must match it. */
  expectedPeerId?: string
  source: PieceSource
  clock: Clock
  /** Stop reading pieces for this peer while this much is waiting in the channel. */
  highWaterMark?: number
  /** Requests from the remote queued beyond this are rejected. */
  maxQueuedRequests?: number
}

const HIGH_WATER_MARK = 4 * 1024 * 1024
const MAX_QUEUED_REQUESTS = 512

export interface PeerSessionEvents {
  ready: []
  /** The remote's pieces changed; `piece` is undefined for a whole bitfield. */
  have: [piece: number | undefined]
  block: [piece: number, offset: number, data: Uint8Array]
  reject: [ref: BlockRef]
  uploaded: [bytes: number]
  close: [reason?: Error]
}

type State = 'handshaking' | 'ready' | 'closed'

export class PeerSession extends Emitter<PeerSessionEvents> {
  remotePeerId: string | undefined
  remote: Bitfield
  lastBlockAt: number
  readonly #options: PeerSessionOptions
  readonly #transport: Transport
  readonly #decoder = new FrameDecoder()
  readonly #requested = new Map<string, BlockRef>()
  readonly #uploadQueue: BlockRef[] = []
  readonly #highWaterMark: number
  readonly #maxQueued: number
  #state: State = 'handshaking'
  #serving = false
  #bitfieldSeen = false
  readonly #unsubscribe: (() => void)[]

  constructor(transport: Transport, options: PeerSessionOptions) {
    super()
    this.#transport = transport
    this.#options = options
    this.#highWaterMark = options.highWaterMark ?? HIGH_WATER_MARK
    this.#maxQueued = options.maxQueuedRequests ?? MAX_QUEUED_REQUESTS
    this.remote = new Bitfield(options.source.verified.length)
    this.lastBlockAt = options.clock.now()
    this.#unsubscribe = [
      transport.on('data', (chunk) => this.#onData(chunk)),
      transport.on('drain', () => void this.#serve()),
      transport.on('close', (reason) => this.#closed(reason)),
    ]
    this.#send({ type: 'handshake', version: PROTOCOL_VERSION, swarmId: options.swarmId, peerId: options.localPeerId })
    this.#send({ type: 'bitfield', bits: options.source.verified.bytes })
  }

  get ready(): boolean {
    return this.#state === 'ready'
  }

  get outstanding(): number {
    return this.#requested.size
  }

  /** Outstanding requests, oldest first. */
  requests(): BlockRef[] {
    return [...this.#requested.values()]
  }

  request(ref: BlockRef): void {
    if (this.#requested.size === 0) this.lastBlockAt = this.#options.clock.now()
    this.#requested.set(key(ref), ref)
    this.#send({ type: 'request', ...ref })
  }

  /** Forget requests for `piece` (given up on it) and tell the remote not to send them. */
  cancelPiece(piece: number): void {
    for (const [k, ref] of this.#requested) {
      if (ref.piece !== piece) continue
      this.#requested.delete(k)
      this.#send({ type: 'cancel', ...ref })
    }
  }

  have(piece: number): void {
    this.#send({ type: 'have', piece })
  }

  close(reason?: Error): void {
    if (this.#state === 'closed') return
    this.#transport.close()
    this.#closed(reason)
  }

  #onData(chunk: Uint8Array): void {
    if (this.#state === 'closed') return
    try {
      for (const message of this.#decoder.push(chunk)) this.#onMessage(message)
    } catch (err) {
      this.close(err instanceof ShoalError ? err : new ShoalError('PROTOCOL', String(err)))
    }
  }

  #onMessage(message: Message): void {
    if (this.#state === 'handshaking') {
      if (message.type !== 'handshake') throw protocol(`expected a handshake, got ${message.type}`)
      if (message.version !== PROTOCOL_VERSION) throw protocol(`unsupported protocol version ${message.version}`)
      if (message.swarmId !== this.#options.swarmId) throw protocol('peer is in another swarm')
      const expected = this.#options.expectedPeerId
      if (expected !== undefined && message.peerId !== expected) throw protocol('peer id does not match the signaling peer')
      if (message.peerId === this.#options.localPeerId) throw protocol('connected to self')
      this.remotePeerId = message.peerId
      this.#state = 'ready'
      this.emit('ready')
      return
    }
    switch (message.type) {
      case 'handshake':
        throw protocol('second handshake')
      case 'bitfield': {
        // Only one, right after the handshake; later changes come as `have`.
        if (this.#bitfieldSeen) throw protocol('second bitfield')
        this.#bitfieldSeen = true
        try {
          this.remote = new Bitfield(this.remote.length, message.bits)
        } catch (err) {
          throw protocol(`bad bitfield: ${(err as Error).message}`)
        }
        this.emit('have', undefined)
        return
      }
      case 'have':
        if (message.piece >= this.remote.length) throw protocol(`have for piece ${message.piece} out of range`)
        if (this.remote.has(message.piece)) return
        this.remote.set(message.piece)
        this.emit('have', message.piece)
        return
      case 'request':
        this.#onRequest(message)
        return
      case 'cancel': {
        const index = this.#uploadQueue.findIndex((r) => sameRef(r, message))
        if (index >= 0) this.#uploadQueue.splice(index, 1)
        return
      }
      case 'reject': {
        const ref = this.#requested.get(key(message))
        if (!ref) return
        this.#requested.delete(key(message))
        this.emit('reject', ref)
        return
      }
      case 'block': {
        const k = key({ piece: message.piece, offset: message.offset, length: message.data.length })
        // A block nobody asked for (or cancelled) is dropped; it may have crossed a cancel.
        if (!this.#requested.delete(k)) return
        this.lastBlockAt = this.#options.clock.now()
        this.emit('block', message.piece, message.offset, message.data)
        return
      }
    }
  }

  #onRequest(ref: BlockRef): void {
    const { source } = this.#options
    const valid =
      source.verified.has(ref.piece) &&
      ref.length > 0 &&
      ref.length <= MAX_BLOCK_SIZE &&
      ref.offset + ref.length <= source.pieceLength(ref.piece)
    if (!valid || this.#uploadQueue.length >= this.#maxQueued) {
      this.#send({ type: 'reject', piece: ref.piece, offset: ref.offset, length: ref.length })
      return
    }
    this.#uploadQueue.push({ piece: ref.piece, offset: ref.offset, length: ref.length })
    void this.#serve()
  }

  /** One loop per session reads and sends queued blocks while the channel has room. */
  async #serve(): Promise<void> {
    if (this.#serving) return
    this.#serving = true
    try {
      while (this.#state === 'ready' && this.#uploadQueue.length > 0 && this.#transport.bufferedAmount < this.#highWaterMark) {
        const ref = this.#uploadQueue.shift()!
        const data = await this.#options.source.read(ref.piece, ref.offset, ref.length)
        if (this.#state !== 'ready') return
        this.#send({ type: 'block', piece: ref.piece, offset: ref.offset, data })
        this.emit('uploaded', data.length)
      }
    } catch (err) {
      this.close(new ShoalError('IO', `could not read a piece to upload: ${(err as Error).message}`, { cause: err }))
    } finally {
      this.#serving = false
    }
  }

  #send(message: Message): void {
    if (this.#state === 'closed') return
    try {
      this.#transport.send(encodeMessage(message))
    } catch (err) {
      this.close(new ShoalError('IO', `send failed: ${(err as Error).message}`, { cause: err }))
    }
  }

  #closed(reason?: Error): void {
    if (this.#state === 'closed') return
    this.#state = 'closed'
    for (const off of this.#unsubscribe) off()
    this.#uploadQueue.length = 0
    this.emit('close', reason)
    this.removeAllListeners()
  }
}

function key(ref: BlockRef): string {
  return `${ref.piece}:${ref.offset}:${ref.length}`
}

function sameRef(a: BlockRef, b: BlockRef): boolean {
  return a.piece === b.piece && a.offset === b.offset && a.length === b.length
}

function protocol(message: string): ShoalError {
  return new ShoalError('PROTOCOL', message)
}
