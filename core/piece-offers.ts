/**
 * Super-seeding for an origin (BitTorrent's BEP 16, pipelined): instead of its whole bitfield, an
 * origin shows each neighbour a few pieces at a time and offers the next as each is asked for.
 * A piece is offered to one neighbour at a time, and only while it has not gone out yet: the
 * first copy of the file goes out without a duplicate and without a refusal. A neighbour left
 * without offers fetches from the others, and is offered again as soon as a piece is free for it.
 * Once every piece has gone out, the offers end (see #reveal).
 *
 * Why: with the whole bitfield in view, neighbours that cannot see one another ask the origin for
 * the same pieces; distinct-first refuses all but one, and each refusal costs that neighbour a round
 * trip. Simulator, 1000 peers x 5 GB, 5 GB/s links, 20 ms: the origin's first copy done at 1.25 s
 * instead of 1.50 s; with the tracker handing out peers with room first (signaling/peer-handout.ts)
 * the slowest peer done 1.52-1.56 s after joining (three seeds) instead of 1.63 s, where either
 * alone moved it by a few hundredths (see the README's simulator section).
 */
import type { Bitfield } from './bitfield.ts'
import type { DistinctFirstPolicy } from './distinct-first.ts'
import { MAX_PEERS } from './client/peer-connector.ts'
import { MAX_PIPELINE_BLOCKS } from './pipeline.ts'
import { MAX_BLOCK_SIZE } from './wire.ts'

/** The fewest pieces shown to each neighbour and not yet asked for: the next offer is on its way while it asks for these. */
const MIN_OFFER_PIECES = 4

/**
 * Pieces shown to each neighbour at once: at least MIN_OFFER_PIECES, and enough to fill the deepest
 * pipeline a neighbour keeps, or a neighbour alone with the origin could have no more in flight
 * than a few small pieces (4 x 256 KiB over a 40 ms round trip is 25 MB/s).
 */
export function offerWindow(pieceSize: number): number {
  return Math.max(MIN_OFFER_PIECES, Math.ceil((MAX_PIPELINE_BLOCKS * MAX_BLOCK_SIZE) / pieceSize))
}

/**
 * Whether an origin super-seeds a file: only one in at least two offer windows' worth of pieces
 * per neighbour, for a full set of neighbours. In fewer, most pieces are promised to the first
 * neighbours at once, and one slow to ask holds them from the rest: simulator, 30 peers x 400 MB
 * in 96 pieces of 4 MiB at 1 Gbit/s, the last done at 5.89 s super-seeding against 5.35 s not
 * (from 239 pieces up, 30 or 100 peers at 1 Gbit/s or 5 GB/s, it was as fast or faster); and in a
 * 5-peer swarm of 16 pieces, with windows of 48, the origin sent 2.55 copies instead of 1.5. A
 * swarm that small sees itself whole anyway, which is where distinct-first alone does well.
 */
export function superSeedPays(pieceCount: number, pieceSize: number): boolean {
  return pieceCount >= 2 * MAX_PEERS * offerWindow(pieceSize)
}

export interface PieceOffersOptions<P> {
  pieceCount: number
  pieceSize: number
  /** The origin's upload rationing: how often each piece has gone out (offers end once every piece has). */
  sent: DistinctFirstPolicy
  random: () => number
  /** Shows `piece` to `peer` (a `have`). */
  offer: (peer: P, piece: number) => void
}

interface Neighbour {
  /** Offered to this neighbour, neither asked for nor announced by it yet. */
  readonly open: Set<number>
  readonly remoteHas: Pick<Bitfield, 'has'>
}

export class PieceOffers<P extends object> {
  readonly #options: PieceOffersOptions<P>
  /** Whether each piece is offered to some neighbour now. */
  readonly #offered: Uint8Array
  readonly #neighbours = new Map<P, Neighbour>()
  /** Pieces shown to each neighbour at once (offerWindow()). */
  readonly #window: number
  #revealed = false

  constructor(options: PieceOffersOptions<P>) {
    this.#options = options
    this.#window = offerWindow(options.pieceSize)
    this.#offered = new Uint8Array(options.pieceCount)
  }

  /**
   * Every piece has gone out once: offers are over, each neighbour has been shown the rest, and a
   * new one is shown the whole bitfield (open() is not for it).
   */
  get revealed(): boolean {
    return this.#revealed
  }

  /** A new neighbour; `remoteHas` is what it holds, as far as we know at each moment. */
  open(peer: P, remoteHas: Pick<Bitfield, 'has'>): void {
    if (this.#revealed) throw new Error('PieceOffers.open after every piece went out: show the whole bitfield instead')
    const neighbour: Neighbour = { open: new Set(), remoteHas }
    this.#neighbours.set(peer, neighbour)
    this.#topUp(peer, neighbour)
  }

  isOffered(peer: P, piece: number): boolean {
    return this.#neighbours.get(peer)?.open.has(piece) ?? false
  }

  /**
   * The origin's upload admission with offers: a piece offered this peer is granted (only unsent
   * pieces are offered, so it never refuses its own offer) and the next ones offered; any other is
   * distinct-first's to decide.
   */
  admit(peer: P, remoteHas: Pick<Bitfield, 'has'>, piece: number): boolean {
    if (!this.isOffered(peer, piece)) return this.#options.sent.admit(peer, remoteHas, piece)
    this.#options.sent.grant(peer, piece)
    this.taken(peer, piece)
    return true
  }

  /** The neighbour asked for `piece` or announced it: the piece is free, and the next ones are offered. */
  taken(peer: P, piece: number): void {
    const neighbour = this.#neighbours.get(peer)
    if (!neighbour?.open.has(piece)) return
    this.#take(neighbour, piece)
    this.#topUpAll()
  }

  /** The neighbour's whole bitfield arrived: what it already holds is no longer offered to it. */
  refresh(peer: P): void {
    const neighbour = this.#neighbours.get(peer)
    if (!neighbour) return
    for (const piece of neighbour.open) if (neighbour.remoteHas.has(piece)) this.#take(neighbour, piece)
    this.#topUpAll()
  }

  #take(neighbour: Neighbour, piece: number): void {
    neighbour.open.delete(piece)
    this.#offered[piece] = 0
  }

  close(peer: P): void {
    const neighbour = this.#neighbours.get(peer)
    if (!neighbour) return
    this.#neighbours.delete(peer)
    for (const piece of neighbour.open) this.#offered[piece] = 0
    this.#topUpAll()
  }

  /** Every neighbour below its window is offered what is free for it; once every piece has gone out, the rest. */
  #topUpAll(): void {
    if (this.#options.sent.lowestSendCount >= 1) return this.#reveal()
    for (const [peer, neighbour] of this.#neighbours) this.#topUp(peer, neighbour)
  }

  /**
   * Once every piece has gone out, the origin is a seed like any other: it shows each neighbour
   * what it has not been shown, and from then on distinct-first alone rations it (refusing pieces
   * that went out more often than one the asker lacks). Offering on, it would keep its link busy
   * to the end of the run, sending second copies the peers have among themselves (simulator, 1000
   * peers x 5 GB at 5 ms: 1.61 copies of the file, against 1.41 revealing, same completion time).
   */
  #reveal(): void {
    this.#revealed = true
    for (const [peer, neighbour] of this.#neighbours) {
      for (let piece = 0; piece < this.#offered.length; piece++) {
        // (Pieces on their way to it are shown again: it ignores a `have` for a piece it knows of.)
        if (!neighbour.open.has(piece) && !neighbour.remoteHas.has(piece)) this.#options.offer(peer, piece)
      }
    }
    this.#neighbours.clear()
  }

  #topUp(peer: P, neighbour: Neighbour): void {
    while (neighbour.open.size < this.#window) {
      const piece = this.#freePiece(neighbour)
      if (piece === undefined) return
      neighbour.open.add(piece)
      this.#offered[piece] = 1
      this.#options.offer(peer, piece)
    }
  }

  /** A piece the neighbour lacks, offered to nobody and not sent yet; drawn at random among those. */
  #freePiece(neighbour: Neighbour): number | undefined {
    const { sent, random } = this.#options
    let chosen: number | undefined
    let seen = 0
    for (let piece = 0; piece < this.#offered.length; piece++) {
      if (this.#offered[piece] !== 0 || sent.sendCount(piece) !== 0 || neighbour.remoteHas.has(piece)) continue
      if (random() * ++seen < 1) chosen = piece
    }
    return chosen
  }
}
