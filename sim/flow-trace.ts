/**
 * `--trace N` (flow model): what the N slowest leechers went through, sampled from their join
 * every TRACE_INTERVAL_MS (connections open and ready, blocks requested and not yet received,
 * pieces held), and how soon the origin had sent every piece once. A run's max is set by a few
 * peers; this shows whether they waited for connections, for data to exist, or for their pipelines.
 */
import type { Clock } from '../core/clock.ts'
import type { FlowPeer } from './flow-peer.ts'

export const TRACE_INTERVAL_MS = 50

export interface PeerSample {
  /** Since the peer joined. */
  seconds: number
  connections: number
  /** Connections whose bitfield has arrived, so requests can go out on them. */
  ready: number
  /** Blocks requested over all connections and not yet received. */
  outstandingBlocks: number
  pieces: number
}

export interface TracedPeer {
  id: string
  /** Virtual seconds into the run. */
  joinedSeconds: number
  doneSeconds: number | undefined
  samples: PeerSample[]
}

export interface SimTrace {
  intervalMs: number
  /** Seconds into the run by which the seeders had sent half, 90 % and all of the pieces at least once (to within intervalMs). */
  originFirstCopy: { halfSeconds: number | undefined; ninetyPercentSeconds: number | undefined; allSeconds: number | undefined }
  /** The slowest leechers that stayed to the end, slowest first. */
  slowest: TracedPeer[]
}

interface Watched {
  peer: FlowPeer
  samples: PeerSample[]
}

export class FlowTracer {
  readonly #watched: Watched[] = []
  readonly #seeders: FlowPeer[] = []
  /** Pieces some seeder has admitted to someone, per sample of the seeders. */
  readonly #firstCopy: { seconds: number; sent: number }[] = []

  constructor(
    readonly clock: Clock,
    readonly pieces: number,
  ) {}

  /** Samples a peer from now until it completes or leaves; seeders are followed for the origin's first copy. */
  watch(peer: FlowPeer): void {
    if (peer.seeder) {
      if (this.#seeders.push(peer) === 1) this.#sampleSeeders()
      return
    }
    const watched: Watched = { peer, samples: [] }
    this.#watched.push(watched)
    this.#sample(watched)
  }

  result(count: number): SimTrace {
    const slowest = this.#watched
      .filter(({ peer }) => !peer.left)
      .sort((a, b) => took(b.peer) - took(a.peer))
      .slice(0, count)
      .map(({ peer, samples }) => ({ id: peer.id, joinedSeconds: peer.joinedAt / 1000, doneSeconds: peer.doneAt === undefined ? undefined : peer.doneAt / 1000, samples }))
    const firstReaching = (fraction: number) => this.#firstCopy.find(({ sent }) => sent >= fraction * this.pieces)?.seconds
    return {
      intervalMs: TRACE_INTERVAL_MS,
      originFirstCopy: { halfSeconds: firstReaching(0.5), ninetyPercentSeconds: firstReaching(0.9), allSeconds: firstReaching(1) },
      slowest,
    }
  }

  #sample(watched: Watched): void {
    const { peer, samples } = watched
    if (peer.complete || peer.left) return
    let ready = 0
    let outstandingBlocks = 0
    for (const end of peer.ends) {
      if (end.ready) ready++
      outstandingBlocks += end.outstanding
    }
    const seconds = (this.clock.now() - peer.joinedAt) / 1000
    samples.push({ seconds, connections: peer.ends.length, ready, outstandingBlocks, pieces: peer.have.count })
    this.clock.setTimeout(() => this.#sample(watched), TRACE_INTERVAL_MS)
  }

  #sampleSeeders(): void {
    let sent = 0
    for (let piece = 0; piece < this.pieces; piece++) if (this.#seeders.some((s) => (s.distinctFirst?.sendCount(piece) ?? 0) > 0)) sent++
    this.#firstCopy.push({ seconds: this.clock.now() / 1000, sent })
    if (sent < this.pieces) this.clock.setTimeout(() => this.#sampleSeeders(), TRACE_INTERVAL_MS)
  }
}

/** A peer that never completed counts as slowest of all. */
function took(peer: FlowPeer): number {
  return peer.doneAt === undefined ? Infinity : peer.doneAt - peer.joinedAt
}
