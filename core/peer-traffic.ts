/**
 * The piece bytes a swarm moves, in total and with each neighbour: what Swarm.stats() and
 * Swarm.peerStats() report, and the receive rate that sizes each peer's request pipeline. Kept
 * apart from the scheduler so that the counters monitoring wants do not tangle with fetching.
 */
import type { Clock } from './clock.ts'
import { DeliveryRate } from './delivery-rate.ts'
import { RateMeter } from './rate-meter.ts'

/** Piece bytes moved with one connected neighbour (for monitoring: the tracker's dashboard). */
export interface PeerTraffic {
  peerId: string
  /** Sent to it. */
  uploadedBytes: number
  /** Received from it. */
  downloadedBytes: number
  uploadRate: number
  downloadRate: number
}

/** The swarm-wide counters; see SwarmStats for what each means. */
export interface TrafficTotals {
  downloadedBytes: number
  downloadedFromSeeds: number
  uploadedBytes: number
  downloadRate: number
  uploadRate: number
}

interface PeerMeters {
  received: RateMeter
  /** The same bytes over a recent window, for pipeline sizing. */
  delivered: DeliveryRate
  sent: RateMeter
}

/** Keyed by whatever identifies a connection to the caller (the Swarm uses its PeerSession). */
export class TrafficLedger<Peer> {
  readonly #clock: Pick<Clock, 'now'>
  readonly #peers = new Map<Peer, PeerMeters>()
  readonly #received: RateMeter
  readonly #sent: RateMeter
  #receivedFromSeeds = 0

  constructor(clock: Pick<Clock, 'now'>) {
    this.#clock = clock
    this.#received = new RateMeter(clock)
    this.#sent = new RateMeter(clock)
  }

  /** Starts counting a neighbour. Bytes for one never added, or removed, count in the totals only. */
  add(peer: Peer): void {
    this.#peers.set(peer, { received: new RateMeter(this.#clock), delivered: new DeliveryRate(this.#clock), sent: new RateMeter(this.#clock) })
  }

  remove(peer: Peer): void {
    this.#peers.delete(peer)
  }

  /** `fromSeed`: the sender held the whole file when it sent these bytes. */
  recordReceived(peer: Peer, bytes: number, fromSeed: boolean): void {
    const meters = this.#peers.get(peer)
    meters?.received.record(bytes)
    meters?.delivered.record(bytes)
    this.#received.record(bytes)
    if (fromSeed) this.#receivedFromSeeds += bytes
  }

  recordSent(peer: Peer, bytes: number): void {
    this.#peers.get(peer)?.sent.record(bytes)
    this.#sent.record(bytes)
  }

  /** Bytes per second lately received from `peer` (0 for one not counted). */
  receiveRate(peer: Peer): number {
    return this.#peers.get(peer)?.received.rate() ?? 0
  }

  /** Bytes received from `peer` so far (0 for one not counted). */
  receivedBytes(peer: Peer): number {
    return this.#peers.get(peer)?.received.total ?? 0
  }

  /** Bytes per second received from `peer` over the last `windowMs` (see DeliveryRate). */
  deliveryRate(peer: Peer, windowMs: number): number {
    return this.#peers.get(peer)?.delivered.rate(windowMs) ?? 0
  }

  totals(): TrafficTotals {
    return {
      downloadedBytes: this.#received.total,
      downloadedFromSeeds: this.#receivedFromSeeds,
      uploadedBytes: this.#sent.total,
      downloadRate: this.#received.rate(),
      uploadRate: this.#sent.rate(),
    }
  }

  /** What was moved with `peer`, reported under `peerId`; undefined for one not counted. */
  peerTraffic(peer: Peer, peerId: string): PeerTraffic | undefined {
    const meters = this.#peers.get(peer)
    if (!meters) return undefined
    const { sent, received } = meters
    return { peerId, uploadedBytes: sent.total, downloadedBytes: received.total, uploadRate: sent.rate(), downloadRate: received.rate() }
  }
}
