/**
 * Serves block requests for all peers of a swarm from one loop: peers take turns a piece at a
 * time (fair upload slots), each channel is filled only up to its high-water mark, and every
 * block waits for the upload token bucket when there is one.
 *
 * Turns are whole pieces, not blocks: a piece sent at the full upload rate is complete, verified
 * and re-shared by its receiver N times sooner than N pieces trickling out in parallel, and how
 * fast pieces spread is what bounds a swarm's completion time.
 *
 * A piece announced before it was whole (core/early-haves.ts) is `promised`: a request for it
 * waits in its queue, behind nothing and holding up nothing, until the piece is verified (then it
 * is served) or the promise is withdrawn (then it is rejected).
 */
import type { Bitfield } from './bitfield.ts'
import type { Clock } from './clock.ts'
import { ShoalError } from './errors.ts'
import type { TokenBucket } from './token-bucket.ts'
import { type BlockRef, MAX_BLOCK_SIZE } from './wire.ts'

/** What the uploader needs of a connected peer. */
export interface UploadTarget {
  readonly remote: Bitfield
  readonly bufferedAmount: number
  sendBlock(piece: number, offset: number, data: Uint8Array): void
  reject(ref: BlockRef): void
}

/** The local pieces. */
export interface PieceSource {
  readonly verified: Bitfield
  pieceLength(piece: number): number
  read(piece: number, offset: number, length: number): Promise<Uint8Array>
  /** Announced but not verified yet: requests for it are kept until it is. */
  promised?(piece: number): boolean
}

export interface UploaderOptions {
  source: PieceSource
  clock: Clock
  limiter?: TokenBucket
  /** Asked before a peer's first block of a piece; false rejects the request. */
  admit?: (peer: UploadTarget, piece: number) => boolean
  /** A block went out to `peer`. */
  onUploaded: (bytes: number, peer: UploadTarget) => void
  onError: (error: ShoalError) => void
  /** Stop filling a channel while this much is queued in it. */
  highWaterMark?: number
  /** Requests queued per peer beyond this are rejected. */
  maxQueuedPerPeer?: number
}

const HIGH_WATER_MARK = 8 * 1024 * 1024
/** Requests a peer may have queued with us (beyond, they are rejected): 32 MiB of 64 KiB blocks. */
export const MAX_QUEUED_PER_PEER = 512

export class Uploader {
  readonly #options: UploaderOptions
  readonly #queues = new Map<UploadTarget, BlockRef[]>()
  /** Round-robin position: the peer served last, and the piece it was sent. */
  #last: UploadTarget | undefined
  #lastPiece = -1
  #pumping = false
  #pumpAgain = false
  #timer: unknown
  #stopped = false

  constructor(options: UploaderOptions) {
    this.#options = options
  }

  enqueue(peer: UploadTarget, ref: BlockRef): void {
    const { source, admit } = this.#options
    const queue = this.#queues.get(peer) ?? []
    const valid =
      (source.verified.has(ref.piece) || (source.promised?.(ref.piece) ?? false)) &&
      ref.length > 0 &&
      ref.length <= MAX_BLOCK_SIZE &&
      ref.offset + ref.length <= source.pieceLength(ref.piece)
    const max = this.#options.maxQueuedPerPeer ?? MAX_QUEUED_PER_PEER
    if (!valid || queue.length >= max || (admit && !admit(peer, ref.piece))) {
      peer.reject(ref)
      return
    }
    queue.push(ref)
    this.#queues.set(peer, queue)
    this.pump()
  }

  cancel(peer: UploadTarget, ref: BlockRef): void {
    const queue = this.#queues.get(peer)
    const index = queue?.findIndex((r) => r.piece === ref.piece && r.offset === ref.offset && r.length === ref.length) ?? -1
    if (index >= 0) queue!.splice(index, 1)
  }

  /** A promised piece will not come after all: its requests are rejected. */
  withdraw(piece: number): void {
    for (const [peer, queue] of this.#queues) {
      const rejected = queue.filter((ref) => ref.piece === piece)
      if (rejected.length === 0) continue
      this.#queues.set(peer, queue.filter((ref) => ref.piece !== piece))
      for (const ref of rejected) peer.reject(ref)
    }
  }

  removePeer(peer: UploadTarget): void {
    this.#queues.delete(peer)
    if (this.#last === peer) this.#last = undefined
  }

  stop(): void {
    this.#stopped = true
    this.#options.clock.clearTimeout(this.#timer)
    this.#queues.clear()
  }

  /** Sends while some peer has a request and room in its channel. Safe to call at any time. */
  pump(): void {
    if (this.#stopped) return
    if (this.#pumping) {
      // The running loop may be past the check that would see the new work: go round again.
      this.#pumpAgain = true
      return
    }
    this.#pumping = true
    void this.#run().finally(() => {
      this.#pumping = false
      if (this.#pumpAgain) {
        this.#pumpAgain = false
        this.pump()
      }
    })
  }

  async #run(): Promise<void> {
    const { source, limiter } = this.#options
    for (;;) {
      const peer = this.#nextPeer()
      if (!peer || this.#stopped) return
      const queue = this.#queues.get(peer)!
      const index = this.#firstServable(queue)
      const ref = queue[index]!
      const wait = limiter?.tryTake(ref.length) ?? 0
      if (wait > 0) {
        this.#options.clock.clearTimeout(this.#timer)
        this.#timer = this.#options.clock.setTimeout(() => this.pump(), wait)
        return
      }
      queue.splice(index, 1)
      this.#last = peer
      this.#lastPiece = ref.piece
      let data: Uint8Array
      try {
        data = await source.read(ref.piece, ref.offset, ref.length)
      } catch (err) {
        this.#options.onError(new ShoalError('IO', `could not read piece ${ref.piece} to upload: ${(err as Error).message}`, { cause: err }))
        peer.reject(ref)
        continue
      }
      // The peer may have left or cancelled while the read was pending.
      if (!this.#queues.has(peer)) continue
      peer.sendBlock(ref.piece, ref.offset, data)
      this.#options.onUploaded(data.length, peer)
    }
  }

  /**
   * The peer served last while its next request continues the same piece; otherwise the next
   * peer after it that has a request and room in its channel.
   */
  #nextPeer(): UploadTarget | undefined {
    const highWaterMark = this.#options.highWaterMark ?? HIGH_WATER_MARK
    const last = this.#last
    if (last && last.bufferedAmount < highWaterMark) {
      const queue = this.#queues.get(last)
      if (queue && queue[this.#firstServable(queue)]?.piece === this.#lastPiece) return last
    }
    const peers = [...this.#queues.keys()]
    const start = last ? peers.indexOf(last) + 1 : 0
    for (let i = 0; i < peers.length; i++) {
      const peer = peers[(start + i) % peers.length]!
      const queue = this.#queues.get(peer)!
      if (this.#firstServable(queue) < queue.length && peer.bufferedAmount < highWaterMark) return peer
    }
    return undefined
  }

  /** Where the first request for a verified piece is in the queue (its length if none is): promised pieces wait. */
  #firstServable(queue: BlockRef[]): number {
    const verified = this.#options.source.verified
    let index = 0
    while (index < queue.length && !verified.has(queue[index]!.piece)) index++
    return index
  }
}
