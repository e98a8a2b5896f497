/**
 * Announcing a piece just before it is whole (libtorrent's predictive piece announce). A new
 * piece crosses each hop of a swarm as have, request, data: three one-way trips. Announced when
 * the rest of it is due within ANNOUNCE_AHEAD_MS at the rate its sender delivers, the requests it
 * draws arrive about as it is verified, and a hop is one trip shorter. Until the piece is
 * verified those requests wait at the Uploader (a promised piece); should it not come after all
 * (its sender left, stalled or sent a bad copy) they are rejected, as for any piece we lack, and
 * the neighbours ask elsewhere.
 *
 * Why: the pieces an origin sends last in its first copy take the longest to reach everyone, and
 * the peers that joined first wait for them. Simulator, 1000 peers x 5 GB,
 * 5 GB/s links, 20 ms: with pipelines sized to a peer's number of neighbours
 * (core/pipeline.ts's budget), the slowest peer done 1.51-1.52 s after joining (two seeds)
 * without early haves, with them 1.45-1.48 s (three; see the README's simulator section).
 */
import type { Bitfield } from './bitfield.ts'

/**
 * How far ahead of its last byte a piece is announced: about the one-way trip its `have` takes.
 * Simulator (as above, one seed): 20 ms ahead, the slowest 1.48 s; announced as soon as its last
 * byte was sent, up to 40 ms ahead, 1.64 s: neighbours' requests for it sat at the Uploader, and
 * their pipelines with them.
 */
export const ANNOUNCE_AHEAD_MS = 20

/** Whether a piece with `remainingBytes` still to come at `rate` bytes per second is due within `aheadMs`. */
export function dueSoon(remainingBytes: number, rate: number, aheadMs = ANNOUNCE_AHEAD_MS): boolean {
  return rate > 0 && (remainingBytes / rate) * 1000 <= aheadMs
}

export interface EarlyHavesOptions<P> {
  verified: Pick<Bitfield, 'has' | 'count' | 'length'>
  /** The neighbours a `have` goes to now. */
  peers: () => Iterable<P>
  have: (peer: P, piece: number) => void
}

/**
 * Pieces announced before they were verified, and to whom. Neighbours must never see the whole
 * file before we hold it: a complete neighbour closes the connection to a peer it believes
 * complete, and the pieces still on their way from it would be lost. So an early have always
 * leaves one missing piece unannounced, and the have that would complete what neighbours see
 * waits until every piece announced early is verified.
 */
export class EarlyHaves<P> {
  readonly #options: EarlyHavesOptions<P>
  /** Pieces announced early and not verified yet, with the neighbours told. */
  readonly #told = new Map<number, Set<P>>()
  /** Of those, the ones whose sender stopped sending: neighbours believe we hold them, and we do not. */
  readonly #withdrawn = new Set<number>()
  /** Verified pieces whose have waits for #told to empty (see above). */
  readonly #deferred: number[] = []

  constructor(options: EarlyHavesOptions<P>) {
    this.#options = options
  }

  /** Announced early, not verified yet, and still coming. */
  promised(piece: number): boolean {
    return this.#told.has(piece) && !this.#withdrawn.has(piece)
  }

  /** Tells the neighbours of `piece` now, unless it was announced already or would be the last piece they lack. */
  announce(piece: number): void {
    const { verified, peers, have } = this.#options
    if (this.#told.has(piece) || verified.has(piece) || verified.count + this.#told.size + 1 >= verified.length) return
    const told = new Set(peers())
    this.#told.set(piece, told)
    for (const peer of told) have(peer, piece)
  }

  /**
   * The piece is verified: tells the neighbours not told early (or, if that would show them the
   * whole file too soon, later). Returns whether it was announced early (requests may wait for it).
   */
  verified(piece: number): boolean {
    const { verified, peers, have } = this.#options
    const told = this.#told.get(piece)
    if (told) {
      this.#told.delete(piece)
      this.#withdrawn.delete(piece)
      for (const peer of peers()) if (!told.has(peer)) have(peer, piece)
    } else if (this.#told.size > 0 && verified.count + this.#told.size >= verified.length) {
      this.#deferred.push(piece)
      return false
    } else {
      for (const peer of peers()) have(peer, piece)
    }
    if (this.#told.size === 0 && this.#deferred.length > 0) {
      for (const deferred of this.#deferred.splice(0)) for (const peer of peers()) have(peer, deferred)
    }
    return told !== undefined
  }

  /**
   * The piece is no longer being fetched or verified. Unless it was verified, the promise is off
   * (neighbours still believe we hold it, until we do): returns whether one was withdrawn.
   */
  settled(piece: number): boolean {
    if (!this.promised(piece) || this.#options.verified.has(piece)) return false
    this.#withdrawn.add(piece)
    return true
  }
}
