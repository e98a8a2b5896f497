/**
 * The swarm engine for one file: it runs the protocol with every neighbour, verifies every piece
 * against the manifest, stores it, announces it to all neighbours, and serves what it has through
 * the Uploader; which piece to fetch from whom is the FetchScheduler's. All state changes happen
 * in event callbacks on one event loop, so it needs no locks.
 */
import type { ChunkStore } from './chunk-store.ts'
import { type Clock, systemClock } from './clock.ts'
import { sha256Hex } from './bytes.ts'
import { DistinctFirstPolicy } from './distinct-first.ts'
import { dueSoon, EarlyHaves } from './early-haves.ts'
import { Emitter } from './emitter.ts'
import { FetchScheduler, type PeerState } from './fetch-scheduler.ts'
import { ShoalError } from './errors.ts'
import { type Manifest, pieceLength } from './manifest.ts'
import { PeerSession } from './peer-session.ts'
import { PieceOffers, superSeedPays } from './piece-offers.ts'
import type { IncrementalHash, PieceDownload } from './piece-download.ts'
import { type PeerTraffic, TrafficLedger } from './peer-traffic.ts'
import type { TokenBucket } from './token-bucket.ts'
import type { Transport } from './transport.ts'
import { Uploader } from './uploader.ts'
import { type BlockRef, MAX_BLOCK_SIZE } from './wire.ts'

export interface SwarmOptions {
  swarmId: string
  manifest: Manifest
  store: ChunkStore
  peerId: string
  clock?: Clock
  random?: () => number
  blockSize?: number
  /** Fixes the requests in flight per peer instead of sizing them to bandwidth x delay. */
  pipelineDepth?: number
  /** How long a peer that sent a corrupt piece or timed out repeatedly stays banned. */
  banMs?: number
  /** Caps what this peer sends; share one bucket between swarms for a per-process limit. */
  uploadLimiter?: TokenBucket
  /** Caps what this peer asks for (and so receives); shared like uploadLimiter. */
  downloadLimiter?: TokenBucket
  /** An origin shows its pieces a few at a time (see core/piece-offers.ts); by default if the file is big enough (superSeedPays()). */
  superSeed?: boolean
  /** Replace piece hashing (Node passes a native SHA-256). */
  hashPiece?: (data: Uint8Array) => Promise<string>
  /** A running SHA-256, to hash blocks as they arrive (see PieceDownload); Node passes one. */
  incrementalHash?: () => IncrementalHash
}

const BAN_MS = 60_000
/** Consecutive timed-out rounds before a peer counts as stalled for good and is banned. */
const TIMEOUTS_BEFORE_BAN = 3
/** After a peer refuses or times out on a piece, ask others for it for this long. */
const REFUSE_MS = 5_000
/** How often request deadlines are checked. */
const TICK_MS = 500

export interface SwarmStats {
  pieceCount: number
  verifiedPieces: number
  size: number
  verifiedBytes: number
  /** Piece bytes received from peers (verified or not). */
  downloadedBytes: number
  /**
   * Of downloadedBytes, those sent by a peer that held the whole file when it sent them: a
   * seed, such as the publisher. The rest came from peers still downloading themselves, which
   * is the swarm's own contribution (the engine cannot tell a publisher from a finished peer).
   */
  downloadedFromSeeds: number
  uploadedBytes: number
  downloadRate: number
  uploadRate: number
  peers: number
  complete: boolean
  /** Not fetching (pause() or a store failure); still serving what it has. */
  paused: boolean
}

export type { PeerTraffic } from './peer-traffic.ts'

export interface SwarmEvents {
  /** A piece was verified and stored. */
  piece: [piece: number]
  complete: []
  'peer-ready': [peerId: string]
  'peer-closed': [peerId: string | undefined, reason?: Error]
  /** A recoverable problem worth logging: a corrupt piece, a stalled peer. */
  warning: [error: ShoalError]
  /**
   * A verified piece could not be stored (quota, disk). Fetching more would only throw it away
   * too, so the swarm has paused itself; what is stored stays stored and served. resume() retries.
   */
  'store-failed': [error: ShoalError]
  paused: []
  resumed: []
}

export class Swarm extends Emitter<SwarmEvents> {
  readonly manifest: Manifest
  readonly store: ChunkStore
  readonly #options: SwarmOptions
  readonly #clock: Clock
  readonly #hashPiece: (data: Uint8Array) => Promise<string>
  readonly #peers = new Map<PeerSession, PeerState>()
  readonly #fetcher: FetchScheduler
  readonly #banned = new Map<string, number>()
  readonly #traffic: TrafficLedger<PeerSession>
  readonly #uploader: Uploader
  /** What an origin shows each neighbour (super-seeding), for an origin only (see the constructor). */
  readonly #offers: PieceOffers<PeerSession> | undefined
  readonly #early: EarlyHaves<PeerSession>
  #tickTimer: unknown
  #destroyed = false
  #paused = false

  constructor(options: SwarmOptions) {
    super()
    this.#options = options
    this.manifest = options.manifest
    this.store = options.store
    this.#clock = options.clock ?? systemClock
    this.#hashPiece = options.hashPiece ?? sha256Hex
    this.#traffic = new TrafficLedger(this.#clock)
    this.#early = new EarlyHaves({ verified: options.store.verified, peers: () => this.#readySessions(), have: (session, piece) => session.have(piece) })
    this.#fetcher = new FetchScheduler({
      manifest: options.manifest,
      verified: options.store.verified,
      clock: this.#clock,
      random: options.random ?? Math.random,
      blockSize: Math.min(options.blockSize ?? MAX_BLOCK_SIZE, MAX_BLOCK_SIZE),
      traffic: this.#traffic,
      peers: () => this.#peers.values(),
      peerCount: () => this.#peers.size,
      mayFetch: () => !this.complete && !this.#paused && !this.#destroyed,
      pipelineDepth: options.pipelineDepth,
      downloadLimiter: options.downloadLimiter,
      incrementalHash: options.incrementalHash,
      // A piece announced early that will not come after all: the requests it drew are refused.
      idle: (piece) => this.#early.settled(piece) && this.#uploader.withdraw(piece),
    })
    // Only a peer that came with the whole file rations it. A leecher that has just finished
    // serves what it is asked: the swarm already holds most pieces many times over, and a refusal
    // costs the asker a round trip and that piece from this neighbour for seconds.
    const distinctFirst = options.store.verified.complete ? new DistinctFirstPolicy(options.manifest.pieces.length) : undefined
    this.#offers =
      distinctFirst && (options.superSeed ?? superSeedPays(options.manifest.pieces.length, options.manifest.pieceSize))
        ? new PieceOffers<PeerSession>({
            pieceCount: options.manifest.pieces.length,
            pieceSize: options.manifest.pieceSize,
            sent: distinctFirst,
            random: options.random ?? Math.random,
            offer: (session, piece) => session.have(piece),
          })
        : undefined
    this.#uploader = new Uploader({
      source: {
        verified: options.store.verified,
        pieceLength: (piece) => pieceLength(this.manifest, piece),
        read: (piece, offset, length) => this.store.read(piece, offset, length),
        promised: (piece) => this.#early.promised(piece),
      },
      clock: this.#clock,
      limiter: options.uploadLimiter,
      // An origin rations what it sends (distinct-first, through its offers when it super-seeds).
      admit: (peer, piece) => this.#offers?.admit(peer as PeerSession, peer.remote, piece) ?? distinctFirst?.admit(peer, peer.remote, piece) ?? true,
      onUploaded: (bytes, target) => this.#traffic.recordSent(target as PeerSession, bytes),
      onError: (error) => this.emit('warning', error),
    })
    this.#scheduleTick()
  }

  get complete(): boolean {
    return this.store.verified.complete
  }

  get paused(): boolean {
    return this.#paused
  }

  /** Stops fetching (pieces in flight are given up); keeps serving what is stored. */
  pause(): void {
    if (this.#paused || this.#destroyed) return
    this.#paused = true
    for (const peer of this.#peers.values()) for (const piece of [...peer.pieces.keys()]) this.#fetcher.release(peer, piece, false)
    this.emit('paused')
  }

  resume(): void {
    if (!this.#paused || this.#destroyed) return
    this.#paused = false
    this.emit('resumed')
    this.#fetcher.fillAll()
  }

  get peerIds(): string[] {
    return [...this.#peers.keys()].flatMap((s) => (s.remotePeerId ? [s.remotePeerId] : []))
  }

  hasPeer(peerId: string): boolean {
    return this.peerIds.includes(peerId)
  }

  isBanned(peerId: string): boolean {
    const until = this.#banned.get(peerId)
    if (until === undefined) return false
    if (until > this.#clock.now()) return true
    this.#banned.delete(peerId)
    return false
  }

  stats(): SwarmStats {
    const verified = this.store.verified
    let verifiedBytes = 0
    for (const piece of verified.indices()) verifiedBytes += pieceLength(this.manifest, piece)
    return {
      pieceCount: verified.length,
      verifiedPieces: verified.count,
      size: this.manifest.size,
      verifiedBytes,
      ...this.#traffic.totals(),
      peers: this.#readySessions().length,
      complete: verified.complete,
      paused: this.#paused,
    }
  }

  /** Traffic with each neighbour whose handshake completed. */
  peerStats(): PeerTraffic[] {
    return [...this.#peers.keys()].flatMap((session) => {
      const traffic = session.ready && session.remotePeerId !== undefined ? this.#traffic.peerTraffic(session, session.remotePeerId) : undefined
      return traffic ? [traffic] : []
    })
  }

  /** Runs the protocol over a new connection. `expectedPeerId` is who signaling says it is. */
  addPeer(transport: Transport, expectedPeerId?: string): void {
    if (this.#destroyed || (expectedPeerId !== undefined && this.isBanned(expectedPeerId))) {
      transport.close()
      return
    }
    // Until every piece has gone out once (see PieceOffers.revealed).
    const superSeeding = this.#offers !== undefined && !this.#offers.revealed
    const session = new PeerSession(transport, {
      swarmId: this.#options.swarmId,
      localPeerId: this.#options.peerId,
      expectedPeerId,
      verified: this.store.verified,
      seed: superSeeding,
      clock: this.#clock,
    })
    if (superSeeding) this.#offers!.open(session, { has: (piece) => session.remote.has(piece) })
    const peer: PeerState = { session, pieces: new Map(), refused: new Map(), timeouts: 0 }
    this.#peers.set(session, peer)
    this.#traffic.add(session)
    session.on('ready', () => this.#onReady(peer))
    session.on('have', (piece) => this.#onHave(peer, piece))
    session.on('block', (piece, offset, data) => this.#onBlock(peer, piece, offset, data))
    session.on('reject', (ref) => this.#onReject(peer, ref))
    session.on('request', (ref) => this.#uploader.enqueue(session, ref))
    session.on('cancel', (ref) => this.#uploader.cancel(session, ref))
    session.on('drain', () => this.#uploader.pump())
    session.on('close', (reason) => this.#onClose(peer, reason))
  }

  /** Stops at once; resolves when every connection has hung up (each says goodbye first, see PeerSession.close). */
  destroy(): Promise<void> {
    if (this.#destroyed) return Promise.resolve()
    this.#destroyed = true
    this.#clock.clearTimeout(this.#tickTimer)
    this.#fetcher.stop()
    this.#uploader.stop()
    const sessions = [...this.#peers.keys()]
    for (const session of sessions) session.close()
    this.removeAllListeners()
    return Promise.all(sessions.map((s) => s.hungUp)).then(() => undefined)
  }

  #onReady(peer: PeerState): void {
    const id = peer.session.remotePeerId!
    const duplicate = [...this.#peers.keys()].some((s) => s !== peer.session && s.ready && s.remotePeerId === id)
    if (duplicate || this.isBanned(id)) {
      peer.session.close()
      return
    }
    this.emit('peer-ready', id)
  }

  #onHave(peer: PeerState, piece: number | undefined): void {
    if (piece === undefined) this.#offers?.refresh(peer.session)
    else this.#offers?.taken(peer.session, piece)
    this.#fetcher.gained(peer, piece)
    if (this.#closeIfBothComplete(peer)) return
    this.#fetcher.fill(peer)
  }

  /**
   * Two peers holding the whole file have nothing to trade: the connection is closed, so that both
   * spend the slot on a peer still downloading (in a big swarm, finished peers would otherwise fill
   * each other's slots and turn latecomers away).
   */
  #closeIfBothComplete(peer: PeerState): boolean {
    if (!this.complete || !peer.session.remoteComplete) return false
    peer.session.close()
    return true
  }

  #onBlock(peer: PeerState, piece: number, offset: number, data: Uint8Array): void {
    const download = peer.pieces.get(piece)
    if (!download) return
    // Seed or not is judged as the bytes arrive: what a peer sent before it finished came from a peer.
    this.#traffic.recordReceived(peer.session, data.length, peer.session.remoteComplete)
    peer.timeouts = 0
    download.receive(offset, data)
    if (download.complete) {
      // Verifying before it stops being fetched: in between it would be idle, its promise withdrawn.
      this.#fetcher.book.verifyStarted(piece)
      this.#fetcher.stopFetching(peer, piece)
      void this.#verify(peer, download)
    } else if (download.fullyRequested && dueSoon(download.remainingBytes, this.#fetcher.rate(peer.session))) {
      this.#early.announce(piece)
    }
    this.#fetcher.fill(peer)
  }

  #readySessions(): PeerSession[] {
    return [...this.#peers.keys()].filter((s) => s.ready)
  }

  #onReject(peer: PeerState, ref: BlockRef): void {
    peer.refused.set(ref.piece, this.#clock.now() + REFUSE_MS)
    this.#fetcher.release(peer, ref.piece)
  }

  async #verify(peer: PeerState, download: PieceDownload): Promise<void> {
    const { piece, data } = download
    try {
      const hash = download.digest() ?? (await this.#hashPiece(data))
      if (this.#destroyed) return
      if (hash !== this.manifest.pieces[piece]) {
        this.#fetcher.book.verifyEnded(piece)
        const id = peer.session.remotePeerId ?? 'unknown'
        this.#ban(peer, new ShoalError('PIECE_HASH_MISMATCH', `piece ${piece} from peer ${id} failed verification; peer banned`))
        this.#fetcher.fillAll()
        return
      }
      // In endgame two copies can verify; the first one stored wins.
      if (this.store.verified.has(piece)) return
      await this.store.write(piece, data)
    } catch (err) {
      this.#fetcher.book.verifyEnded(piece)
      const error = err instanceof ShoalError ? err : new ShoalError('IO', `could not store piece ${piece}: ${(err as Error).message}`)
      this.pause()
      this.emit('store-failed', error)
      return
    }
    this.#fetcher.book.verifyEnded(piece)
    if (this.#destroyed) return
    for (const other of this.#peers.values()) if (other.pieces.has(piece)) this.#fetcher.release(other, piece, false)
    // Requests that came on an early have can be served now.
    if (this.#early.verified(piece)) this.#uploader.pump()
    this.emit('piece', piece)
    if (this.complete) {
      this.emit('complete')
      for (const other of [...this.#peers.values()]) this.#closeIfBothComplete(other)
    }
    this.#fetcher.fillAll()
  }

  #ban(peer: PeerState, reason: ShoalError): void {
    const id = peer.session.remotePeerId
    if (id !== undefined) this.#banned.set(id, this.#clock.now() + (this.#options.banMs ?? BAN_MS))
    this.emit('warning', reason)
    peer.session.close(reason)
  }

  #onClose(peer: PeerState, reason?: Error): void {
    this.#offers?.close(peer.session)
    this.#peers.delete(peer.session)
    this.#traffic.remove(peer.session)
    this.#uploader.removePeer(peer.session)
    this.#fetcher.lost(peer)
    this.emit('peer-closed', peer.session.remotePeerId, reason)
    this.#fetcher.fillAll()
  }

  #scheduleTick(): void {
    this.#tickTimer = this.#clock.setTimeout(() => {
      if (this.#destroyed) return
      this.#checkDeadlines()
      // Pieces refused a while ago may be asked for again; no message will say so.
      this.#fetcher.fillAll()
      this.#scheduleTick()
    }, TICK_MS)
  }

  /** Requests past their deadline: give those pieces to other peers; ban a peer that keeps stalling. */
  #checkDeadlines(): void {
    const now = this.#clock.now()
    for (const peer of [...this.#peers.values()]) {
      const pieces = new Set(peer.session.expired(now).map((ref) => ref.piece))
      if (pieces.size === 0) continue
      peer.timeouts++
      const id = peer.session.remotePeerId ?? 'unknown'
      if (peer.timeouts >= TIMEOUTS_BEFORE_BAN) {
        this.#ban(peer, new ShoalError('TIMEOUT', `peer ${id} stalled ${peer.timeouts} times in a row; peer banned`))
        continue
      }
      this.emit('warning', new ShoalError('TIMEOUT', `peer ${id} did not deliver piece(s) ${[...pieces].join(', ')} in time; asking others`))
      for (const piece of pieces) {
        peer.refused.set(piece, now + REFUSE_MS)
        this.#fetcher.release(peer, piece, false)
      }
      this.#fetcher.fillAll()
    }
  }
}
