/**
 * The download half of the swarm: which piece is fetched from which neighbour. It keeps each
 * neighbour's pipeline of requests full (sized to bandwidth x delay), picks pieces (random first,
 * rarest first, endgame) from what neighbours have, and gives pieces up. The Swarm feeds it the
 * events (haves, blocks, closes) and decides when fetching is allowed at all.
 */
import type { Bitfield } from './bitfield.ts'
import type { Clock } from './clock.ts'
import { FetchBook } from './fetch-book.ts'
import { type Manifest, pieceLength } from './manifest.ts'
import type { PeerSession } from './peer-session.ts'
import type { TrafficLedger } from './peer-traffic.ts'
import { pickEndgamePiece, pickPiece } from './picker.ts'
import { type IncrementalHash, PieceDownload } from './piece-download.ts'
import { initialPipelineBlocks, neighbourPipelineDepth, neighbourRate, requestTimeoutMs } from './pipeline.ts'
import type { TokenBucket } from './token-bucket.ts'

/** What the swarm knows of one neighbour. */
export interface PeerState {
  session: PeerSession
  /** Pieces being fetched from this peer. */
  pieces: Map<number, PieceDownload>
  /** Pieces this peer refused or let time out, until when not to ask it again. */
  refused: Map<number, number>
  timeouts: number
}

export interface FetchSchedulerOptions {
  manifest: Manifest
  verified: Bitfield
  clock: Clock
  random: () => number
  blockSize: number
  /** What each neighbour delivers, to size its pipeline. */
  traffic: Pick<TrafficLedger<PeerSession>, 'receiveRate' | 'deliveryRate' | 'receivedBytes'>
  /** The neighbours, as the swarm holds them, and how many. */
  peers: () => Iterable<PeerState>
  peerCount: () => number
  /** Whether to fetch at all now (not complete, paused or destroyed). */
  mayFetch: () => boolean
  /** Fixes the requests in flight per peer instead of sizing them to bandwidth x delay. */
  pipelineDepth?: number
  downloadLimiter?: TokenBucket
  incrementalHash?: () => IncrementalHash
  /** A piece is no longer fetched from anyone nor being verified (see FetchBook). */
  idle?: (piece: number) => void
}

export class FetchScheduler {
  /** Connected peers holding each piece, for rarest first. */
  readonly #availability: Uint32Array
  readonly book: FetchBook
  readonly #options: FetchSchedulerOptions
  readonly #initialPipelineBlocks: number
  #limiterTimer: unknown

  constructor(options: FetchSchedulerOptions) {
    this.#options = options
    this.book = new FetchBook(options.idle)
    this.#initialPipelineBlocks = initialPipelineBlocks(options.manifest.pieceSize, options.blockSize)
    this.#availability = new Uint32Array(options.manifest.pieces.length)
  }

  /** The peer announced `piece`, or its whole bitfield when undefined. */
  gained(peer: PeerState, piece: number | undefined): void {
    if (piece === undefined) {
      for (const p of peer.session.remote.indices()) this.#availability[p]!++
    } else {
      this.#availability[piece]!++
    }
  }

  /** The peer is gone: its pieces no longer count, and what it was fetching is free for others. */
  lost(peer: PeerState): void {
    for (const p of peer.session.remote.indices()) this.#availability[p]!--
    for (const piece of [...peer.pieces.keys()]) this.stopFetching(peer, piece)
  }

  /** Keeps the peer's pipeline full: continue its pieces, then pick new ones. */
  fill(peer: PeerState): void {
    const { session } = peer
    if (!session.ready || !this.#options.mayFetch()) return
    const depth =
      this.#options.pipelineDepth ??
      neighbourPipelineDepth({
        ...this.#rateInput(session),
        initialBlocks: this.#initialPipelineBlocks,
        deliveredBytes: this.#options.traffic.receivedBytes(session),
        neighbours: this.#options.peerCount(),
      })
    // Top up in batches of a quarter pipeline, so requests leave together in one message.
    if (session.outstanding > depth - Math.max(1, Math.floor(depth / 4))) return
    const limiter = this.#options.downloadLimiter
    while (session.outstanding < depth) {
      const download = [...peer.pieces.values()].find((d) => !d.fullyRequested) ?? this.#startPiece(peer)
      if (!download) return
      const wait = limiter?.tryTake(download.nextLength) ?? 0
      if (wait > 0) {
        this.#retryFillAfter(wait)
        return
      }
      const ref = download.nextRequest()!
      session.request(ref, requestTimeoutMs(session.outstandingBytes + ref.length))
    }
  }

  /** Bytes per second the neighbour delivers, as its pipeline is sized by. */
  rate(session: PeerSession): number {
    return neighbourRate(this.#rateInput(session))
  }

  #rateInput(session: PeerSession) {
    const { traffic, blockSize } = this.#options
    return {
      average: traffic.receiveRate(session),
      recent: { rate: (windowMs: number) => traffic.deliveryRate(session, windowMs) },
      rttMs: session.minLatencyMs,
      blockSize,
    }
  }

  fillAll(): void {
    for (const peer of this.#options.peers()) this.fill(peer)
  }

  stopFetching(peer: PeerState, piece: number): void {
    if (peer.pieces.delete(piece)) this.book.stopped(piece)
  }

  /** Gives a piece up with this peer (its partial data is dropped) so others may fetch it. */
  release(peer: PeerState, piece: number, refill = true): void {
    if (!peer.pieces.has(piece)) return
    this.stopFetching(peer, piece)
    peer.session.cancelPiece(piece)
    if (refill) this.fillAll()
  }

  stop(): void {
    this.#options.clock.clearTimeout(this.#limiterTimer)
  }

  #startPiece(peer: PeerState): PieceDownload | undefined {
    const { clock, verified: have, manifest, blockSize, random } = this.#options
    const now = clock.now()
    const refused = (p: number) => (peer.refused.get(p) ?? 0) > now
    const remote = peer.session.remote
    let piece = pickPiece({
      have,
      remote,
      busy: (p) => this.book.busy(p) || refused(p),
      availability: this.#availability,
      random,
    })
    if (piece === undefined && this.book.endgame(have.length - have.count)) {
      piece = pickEndgamePiece({
        have,
        remote,
        downloaders: (p) => this.book.downloaders(p),
        excluded: (p) => peer.pieces.has(p) || this.book.verifying(p) || refused(p),
        random,
      })
    }
    if (piece === undefined) return undefined
    const download = new PieceDownload(piece, pieceLength(manifest, piece), blockSize, this.#options.incrementalHash?.())
    peer.pieces.set(piece, download)
    this.book.started(piece)
    return download
  }

  #retryFillAfter(ms: number): void {
    const { clock } = this.#options
    clock.clearTimeout(this.#limiterTimer)
    this.#limiterTimer = clock.setTimeout(() => this.fillAll(), ms)
  }
}
