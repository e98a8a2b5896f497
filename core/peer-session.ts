/**
 * The wire protocol with one remote peer: handshake, what it has, the requests in flight to it
 * (with deadlines), and its requests to us, handed on as events. Scheduling belongs to the
 * Swarm and the Uploader.
 */
import { Bitfield } from './bitfield.ts'
import type { Clock } from './clock.ts'
import { Emitter } from './emitter.ts'
import { ShoalError } from './errors.ts'
import type { Transport } from './transport.ts'
import { type BlockRef, FrameDecoder, MAX_BLOCK_FRAME, type Message, PROTOCOL_VERSION, encodeBlockInto, encodeMessage } from './wire.ts'

export interface PeerSessionOptions {
  swarmId: string
  localPeerId: string
  /** The peer id the signaling layer says is on the other end; the handshake must match it. */
  expectedPeerId?: string
  /** What we hold, sent as our bitfield right after the handshake. */
  verified: Bitfield
  /**
   * We hold every piece but show them a part at a time (super-seeding, core/piece-offers.ts): the
   * bitfield goes out empty, then `seed`, and the owner sends what it offers as `have`s.
   */
  seed?: boolean
  clock: Clock
}

export interface PeerSessionEvents {
  ready: []
  /** The remote's pieces changed; `piece` is undefined for a whole bitfield. */
  have: [piece: number | undefined]
  block: [piece: number, offset: number, data: Uint8Array]
  /** The remote asks us for a block (not yet validated against our pieces). */
  request: [ref: BlockRef]
  cancel: [ref: BlockRef]
  reject: [ref: BlockRef]
  /** The channel has room again after filling up. */
  drain: []
  close: [reason?: Error]
}

/**
 * Control frames (request, have, cancel, reject) are small and many: they are gathered and sent
 * as one channel message per turn of the event loop, up to this size. Each send into a data
 * channel has a fixed cost (a packet, a thread hop in Node's wrtc) that dwarfs 17 bytes.
 */
const MAX_COALESCED_BYTES = 16 * 1024

/**
 * A session that closes says goodbye and leaves hanging up to the remote, which does so as soon
 * as the goodbye arrives; this is how long it waits for that before hanging up itself. Who hangs
 * up matters: in Node's @roamhq/wrtc 0.10.0 a send that races the remote's close can dereference
 * a freed channel and kill the process (RTCDataChannel::Send, see README "Known problems"), and
 * after a goodbye the side that hangs up is the one that has stopped sending.
 */
export const GOODBYE_GRACE_MS = 1000

interface Outstanding {
  ref: BlockRef
  sentAt: number
  deadline: number
}

type State = 'handshaking' | 'ready' | 'closed'

export class PeerSession extends Emitter<PeerSessionEvents> {
  remotePeerId: string | undefined
  remote: Bitfield
  /** Shortest request-to-block time seen: the round trip with an empty queue at the remote. */
  minLatencyMs = Infinity
  readonly #options: PeerSessionOptions
  readonly #transport: Transport
  readonly #decoder = new FrameDecoder()
  readonly #requested = new Map<string, Outstanding>()
  #outstandingBytes = 0
  #state: State = 'handshaking'
  #bitfieldSeen = false
  /** The remote said it holds every piece, whatever its bitfield shows (a super-seeding origin). */
  #remoteSeeds = false
  #pending: Uint8Array[] = []
  #pendingBytes = 0
  #flushScheduled = false
  /** One frame buffer reused for every block sent: Transport.send copies what it is given. */
  #blockScratch: Uint8Array | undefined
  readonly #unsubscribe: (() => void)[]
  #graceTimer: unknown
  #hangUp!: () => void
  /** Resolves once the channel itself has closed: at once, or after a goodbye was answered or timed out. */
  readonly hungUp = new Promise<void>((resolve) => {
    this.#hangUp = resolve
  })

  constructor(transport: Transport, options: PeerSessionOptions) {
    super()
    this.#transport = transport
    this.#options = options
    this.remote = new Bitfield(options.verified.length)
    this.#unsubscribe = [transport.on('data', (chunk) => this.#onData(chunk)), transport.on('drain', () => this.emit('drain'))]
    // Not in #unsubscribe: the channel closes after the session does (a goodbye's grace), and
    // hungUp must still resolve then.
    transport.on('close', (reason) => {
      this.#options.clock.clearTimeout(this.#graceTimer)
      this.#hangUp()
      this.#closed(reason)
    })
    this.#send({ type: 'handshake', version: PROTOCOL_VERSION, swarmId: options.swarmId, peerId: options.localPeerId })
    this.#send({ type: 'bitfield', bits: options.seed ? new Uint8Array(options.verified.bytes.length) : options.verified.bytes })
    if (options.seed) this.#send({ type: 'seed' })
  }

  /** The remote holds every piece: its bitfield is full, or it is a seed showing a part at a time. */
  get remoteComplete(): boolean {
    return this.#remoteSeeds || this.remote.complete
  }

  get ready(): boolean {
    return this.#state === 'ready'
  }

  get outstanding(): number {
    return this.#requested.size
  }

  /** Bytes requested from the remote and not yet received. */
  get outstandingBytes(): number {
    return this.#outstandingBytes
  }

  get bufferedAmount(): number {
    return this.#transport.bufferedAmount
  }

  request(ref: BlockRef, timeoutMs: number): void {
    const now = this.#options.clock.now()
    this.#requested.set(key(ref), { ref, sentAt: now, deadline: now + timeoutMs })
    this.#outstandingBytes += ref.length
    this.#send({ type: 'request', ...ref })
  }

  /** Requests whose deadline has passed, oldest first. */
  expired(now: number): BlockRef[] {
    return [...this.#requested.values()].filter((r) => r.deadline <= now).map((r) => r.ref)
  }

  /** Forgets requests for `piece` (given up on it) and tells the remote not to send them. */
  cancelPiece(piece: number): void {
    for (const [k, { ref }] of this.#requested) {
      if (ref.piece !== piece) continue
      this.#forget(k, ref)
      this.#send({ type: 'cancel', ...ref })
    }
  }

  have(piece: number): void {
    this.#send({ type: 'have', piece })
  }

  sendBlock(piece: number, offset: number, data: Uint8Array): void {
    if (this.#state === 'closed') return
    // Blocks go out at once, after whatever control frames came first (order is the protocol's).
    this.#flush()
    this.#blockScratch ??= new Uint8Array(MAX_BLOCK_FRAME)
    this.#transmit(encodeBlockInto(this.#blockScratch, piece, offset, data))
  }

  reject(ref: BlockRef): void {
    this.#send({ type: 'reject', ...ref })
  }

  /** Ends the session at once; the channel closes once the remote has had our goodbye (see GOODBYE_GRACE_MS). */
  close(reason?: Error): void {
    if (this.#state === 'closed') return
    this.#pending = []
    this.#pendingBytes = 0
    if (this.#transmit(encodeMessage({ type: 'goodbye' }))) {
      this.#graceTimer = this.#options.clock.setTimeout(() => this.#transport.close(), GOODBYE_GRACE_MS)
    }
    this.#closed(reason)
  }

  #onData(chunk: Uint8Array): void {
    if (this.#state === 'closed') return
    try {
      for (const message of this.#decoder.push(chunk)) {
        this.#onMessage(message)
        // A goodbye (or a message that made the swarm close us) ends the session mid-chunk.
        if (this.#isClosed()) return
      }
    } catch (err) {
      this.close(err instanceof ShoalError ? err : new ShoalError('PROTOCOL', String(err)))
    }
  }

  #onMessage(message: Message): void {
    if (message.type === 'goodbye') {
      this.#transport.close()
      this.#closed()
      return
    }
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
      case 'bitfield':
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
      case 'seed':
        this.#remoteSeeds = true
        return
      case 'have':
        if (message.piece >= this.remote.length) throw protocol(`have for piece ${message.piece} out of range`)
        if (this.remote.has(message.piece)) return
        this.remote.set(message.piece)
        this.emit('have', message.piece)
        return
      case 'request':
      case 'cancel': {
        const { piece, offset, length } = message
        this.emit(message.type, { piece, offset, length })
        return
      }
      case 'reject': {
        const k = key(message)
        const outstanding = this.#requested.get(k)
        if (!outstanding) return
        this.#forget(k, outstanding.ref)
        this.emit('reject', outstanding.ref)
        return
      }
      case 'block': {
        const k = key({ piece: message.piece, offset: message.offset, length: message.data.length })
        const outstanding = this.#requested.get(k)
        // A block nobody asked for (or cancelled) is dropped; it may have crossed a cancel.
        if (!outstanding) return
        this.#forget(k, outstanding.ref)
        this.minLatencyMs = Math.min(this.minLatencyMs, this.#options.clock.now() - outstanding.sentAt)
        this.emit('block', message.piece, message.offset, message.data)
        return
      }
    }
  }

  #forget(k: string, ref: BlockRef): void {
    if (this.#requested.delete(k)) this.#outstandingBytes -= ref.length
  }

  #send(message: Message): void {
    if (this.#state === 'closed') return
    const frame = encodeMessage(message)
    if (this.#pendingBytes + frame.length > MAX_COALESCED_BYTES) this.#flush()
    this.#pending.push(frame)
    this.#pendingBytes += frame.length
    if (!this.#flushScheduled) {
      this.#flushScheduled = true
      queueMicrotask(() => this.#flush())
    }
  }

  #flush(): void {
    this.#flushScheduled = false
    if (this.#pending.length === 0) return
    const frames = this.#pending
    const size = this.#pendingBytes
    this.#pending = []
    this.#pendingBytes = 0
    if (frames.length === 1) {
      this.#transmit(frames[0]!)
      return
    }
    const joined = new Uint8Array(size)
    let at = 0
    for (const frame of frames) {
      joined.set(frame, at)
      at += frame.length
    }
    this.#transmit(joined)
  }

  /** Sends `bytes` unless the session is closed; a send that fails closes it. Returns whether it was sent. */
  #transmit(bytes: Uint8Array): boolean {
    if (this.#state === 'closed') return false
    try {
      this.#transport.send(bytes)
      return true
    } catch (err) {
      this.#transport.close()
      this.#closed(new ShoalError('IO', `send failed: ${(err as Error).message}`, { cause: err }))
      return false
    }
  }

  #isClosed(): boolean {
    return this.#state === 'closed'
  }

  #closed(reason?: Error): void {
    if (this.#state === 'closed') return
    this.#state = 'closed'
    for (const off of this.#unsubscribe) off()
    this.emit('close', reason)
    this.removeAllListeners()
  }
}

function key(ref: BlockRef): string {
  return `${ref.piece}:${ref.offset}:${ref.length}`
}

function protocol(message: string): ShoalError {
  return new ShoalError('PROTOCOL', message)
}
