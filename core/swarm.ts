/**
 * The swarm engine for one file: it owns the scheduler state (which piece is fetched from whom),
 * verifies every piece against the manifest, stores it, and announces it to all neighbours.
 * All state changes happen in event callbacks on one event loop, so it needs no locks.
 */
import type { ChunkStore } from './chunk-store.ts'
import { type Clock, systemClock } from './clock.ts'
import { sha256Hex } from './bytes.ts'
import { Emitter } from './emitter.ts'
import { ShoalError } from './errors.ts'
import { type Manifest, pieceLength } from './manifest.ts'
import { PeerSession, type PieceSource } from './peer-session.ts'
import { PieceDownload } from './piece-download.ts'
import { pickPiece } from './picker.ts'
import { RateMeter } from './rate-meter.ts'
import type { TokenBucket } from './token-bucket.ts'
import type { Transport } from './transport.ts'
import { MAX_BLOCK_SIZE } from './wire.ts'

export interface SwarmOptions {
  swarmId: string
  manifest: Manifest
  store: ChunkStore
  peerId: string
  clock?: Clock
  random?: () => number
  /** Block requests kept in flight per peer: enough to fill bandwidth x delay. */
  pipelineDepth?: number
  blockSize?: number
  /** A peer with requests outstanding and no block for this long loses its pieces to others. */
  stallTimeoutMs?: number
  /** How long a peer that sent a corrupt piece or stalled repeatedly stays banned. */
  banMs?: number
  /** Caps what this peer sends; share one bucket between swarms for a per-process limit. */
  uploadLimiter?: TokenBucket
  /** Caps what this peer asks for (and so receives); shared like uploadLimiter. */
  downloadLimiter?: TokenBucket
  /** Replace piece hashing (Node passes a native SHA-256). */
  hashPiece?: (data: Uint8Array) => Promise<string>
}

const PIPELINE_DEPTH = 32
const STALL_TIMEOUT_MS = 15_000
const BAN_MS = 60_000
const STALLS_BEFORE_BAN = 2

export interface SwarmStats {
  pieceCount: number
  verifiedPieces: number
  size: number
  verifiedBytes: number
  /** Piece bytes received from peers (verified or not). */
  downloadedBytes: number
  uploadedBytes: number
  downloadRate: number
  uploadRate: number
  peers: number
  complete: boolean
}

export interface SwarmEvents {
  /** A piece was verified and stored. */
  piece: [piece: number]
  complete: []
  'peer-ready': [peerId: string]
  'peer-closed': [peerId: string | undefined, reason?: Error]
  /** A recoverable problem worth logging: a corrupt piece, a stalled peer, a store failure. */
  warning: [error: ShoalError]
}

interface PeerState {
  session: PeerSession
  pieces: Map<number, PieceDownload>
  stalls: number
}

export class Swarm extends Emitter<SwarmEvents> {
  readonly manifest: Manifest
  readonly store: ChunkStore
  readonly #options: SwarmOptions
  readonly #clock: Clock
  readonly #random: () => number
  readonly #pipelineDepth: number
  readonly #blockSize: number
  readonly #stallTimeoutMs: number
  readonly #hashPiece: (data: Uint8Array) => Promise<string>
  readonly #peers = new Set<PeerState>()
  /** Connected peers holding each piece, for rarest first. */
  readonly #availability: Uint32Array
  /** Pieces being downloaded or verified: never fetched twice at once. */
  readonly #busy = new Set<number>()
  readonly #banned = new Map<string, number>()
  readonly #download: RateMeter
  readonly #upload: RateMeter
  readonly #source: PieceSource
  #stallTimer: unknown
  #destroyed = false

  constructor(options: SwarmOptions) {
    super()
    this.#options = options
    this.manifest = options.manifest
    this.store = options.store
    this.#clock = options.clock ?? systemClock
    this.#random = options.random ?? Math.random
    this.#pipelineDepth = options.pipelineDepth ?? PIPELINE_DEPTH
    this.#blockSize = Math.min(options.blockSize ?? MAX_BLOCK_SIZE, MAX_BLOCK_SIZE)
    this.#stallTimeoutMs = options.stallTimeoutMs ?? STALL_TIMEOUT_MS
    this.#hashPiece = options.hashPiece ?? sha256Hex
    this.#availability = new Uint32Array(options.manifest.pieces.length)
    this.#download = new RateMeter(this.#clock)
    this.#upload = new RateMeter(this.#clock)
    this.#source = {
      verified: options.store.verified,
      pieceLength: (piece) => pieceLength(this.manifest, piece),
      read: (piece, offset, length) => this.store.read(piece, offset, length),
    }
    this.#scheduleStallCheck()
  }

  get complete(): boolean {
    return this.store.verified.complete
  }

  get peerIds(): string[] {
    return [...this.#peers].flatMap((p) => (p.session.remotePeerId ? [p.session.remotePeerId] : []))
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
      downloadedBytes: this.#download.total,
      uploadedBytes: this.#upload.total,
      downloadRate: this.#download.rate(),
      uploadRate: this.#upload.rate(),
      peers: [...this.#peers].filter((p) => p.session.ready).length,
      complete: verified.complete,
    }
  }

  /** Runs the protocol over a new connection. `expectedPeerId` is who signaling says it is. */
  addPeer(transport: Transport, expectedPeerId?: string): void {
    if (this.#destroyed || (expectedPeerId !== undefined && this.isBanned(expectedPeerId))) {
      transport.close()
      return
    }
    const session = new PeerSession(transport, {
      swarmId: this.#options.swarmId,
      localPeerId: this.#options.peerId,
      expectedPeerId,
      source: this.#source,
      clock: this.#clock,
    })
    const peer: PeerState = { session, pieces: new Map(), stalls: 0 }
    this.#peers.add(peer)
    session.on('ready', () => this.#onReady(peer))
    session.on('have', (piece) => this.#onHave(peer, piece))
    session.on('block', (piece, offset, data) => this.#onBlock(peer, piece, offset, data))
    session.on('reject', (ref) => this.#release(peer, ref.piece))
    session.on('uploaded', (bytes) => this.#upload.record(bytes))
    session.on('close', (reason) => this.#onClose(peer, reason))
  }

  destroy(): void {
    if (this.#destroyed) return
    this.#destroyed = true
    this.#clock.clearTimeout(this.#stallTimer)
    for (const peer of [...this.#peers]) peer.session.close()
    this.removeAllListeners()
  }

  #onReady(peer: PeerState): void {
    const id = peer.session.remotePeerId!
    const duplicate = [...this.#peers].some((p) => p !== peer && p.session.ready && p.session.remotePeerId === id)
    if (duplicate || this.isBanned(id)) {
      peer.session.close()
      return
    }
    this.emit('peer-ready', id)
  }

  #onHave(peer: PeerState, piece: number | undefined): void {
    if (piece === undefined) {
      for (const p of peer.session.remote.indices()) this.#availability[p]!++
    } else {
      this.#availability[piece]!++
    }
    this.#fill(peer)
  }

  #onBlock(peer: PeerState, piece: number, offset: number, data: Uint8Array): void {
    const download = peer.pieces.get(piece)
    if (!download) return
    this.#download.record(data.length)
    download.receive(offset, data)
    if (download.complete) {
      peer.pieces.delete(piece)
      void this.#verify(peer, download)
    }
    this.#fill(peer)
  }

  async #verify(peer: PeerState, download: PieceDownload): Promise<void> {
    const { piece, data } = download
    try {
      const hash = await this.#hashPiece(data)
      if (this.#destroyed) return
      if (hash !== this.manifest.pieces[piece]) {
        const id = peer.session.remotePeerId ?? 'unknown'
        this.#busy.delete(piece)
        this.#ban(peer, new ShoalError('PIECE_HASH_MISMATCH', `piece ${piece} from peer ${id} failed verification; peer banned`))
        this.#fillAll()
        return
      }
      await this.store.write(piece, data)
    } catch (err) {
      this.#busy.delete(piece)
      const error = err instanceof ShoalError ? err : new ShoalError('IO', `could not store piece ${piece}: ${(err as Error).message}`)
      this.emit('warning', error)
      return
    }
    this.#busy.delete(piece)
    if (this.#destroyed) return
    for (const p of this.#peers) if (p.session.ready) p.session.have(piece)
    this.emit('piece', piece)
    if (this.complete) this.emit('complete')
    this.#fillAll()
  }

  /** Keeps the peer's pipeline full: continue its pieces, then pick new ones. */
  #fill(peer: PeerState): void {
    const { session } = peer
    if (!session.ready || this.complete || this.#destroyed) return
    while (session.outstanding < this.#pipelineDepth) {
      let download = [...peer.pieces.values()].find((d) => !d.fullyRequested)
      if (!download) {
        const piece = pickPiece({
          have: this.store.verified,
          remote: session.remote,
          busy: (p) => this.#busy.has(p),
          availability: this.#availability,
          random: this.#random,
        })
        if (piece === undefined) return
        download = new PieceDownload(piece, pieceLength(this.manifest, piece), this.#blockSize)
        this.#busy.add(piece)
        peer.pieces.set(piece, download)
      }
      session.request(download.nextRequest()!)
    }
  }

  #fillAll(): void {
    for (const peer of this.#peers) this.#fill(peer)
  }

  /** Gives a piece back to the pool (its partial data is dropped). */
  #release(peer: PeerState, piece: number): void {
    if (!peer.pieces.delete(piece)) return
    peer.session.cancelPiece(piece)
    this.#busy.delete(piece)
    this.#fillAll()
  }

  #ban(peer: PeerState, reason: ShoalError): void {
    const id = peer.session.remotePeerId
    if (id !== undefined) this.#banned.set(id, this.#clock.now() + (this.#options.banMs ?? BAN_MS))
    this.emit('warning', reason)
    peer.session.close(reason)
  }

  #onClose(peer: PeerState, reason?: Error): void {
    this.#peers.delete(peer)
    for (const p of peer.session.remote.indices()) this.#availability[p]!--
    for (const piece of peer.pieces.keys()) this.#busy.delete(piece)
    peer.pieces.clear()
    this.emit('peer-closed', peer.session.remotePeerId, reason)
    this.#fillAll()
  }

  #scheduleStallCheck(): void {
    this.#stallTimer = this.#clock.setTimeout(() => {
      if (this.#destroyed) return
      this.#checkStalls()
      this.#scheduleStallCheck()
    }, Math.max(250, this.#stallTimeoutMs / 4))
  }

  #checkStalls(): void {
    const now = this.#clock.now()
    for (const peer of [...this.#peers]) {
      if (peer.session.outstanding === 0 || now - peer.session.lastBlockAt < this.#stallTimeoutMs) continue
      peer.stalls++
      const id = peer.session.remotePeerId ?? 'unknown'
      if (peer.stalls >= STALLS_BEFORE_BAN) {
        this.#ban(peer, new ShoalError('TIMEOUT', `peer ${id} stalled ${peer.stalls} times; peer banned`))
        continue
      }
      this.emit('warning', new ShoalError('TIMEOUT', `peer ${id} sent nothing for ${this.#stallTimeoutMs} ms; its pieces go to others`))
      for (const piece of [...peer.pieces.keys()]) this.#release(peer, piece)
    }
  }
}
