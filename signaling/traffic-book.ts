/**
 * The latest traffic report of every peer, per swarm, as peers send them (`stats` events), and
 * the dashboard's picture built from them. In this process's memory only: with several
 * processes over Redis each one knows the peers connected to it, and its dashboard shows those.
 * A report is dropped when its peer leaves the swarm or disconnects, and ages out if it stops
 * coming (a peer that stopped reporting is not still moving data).
 */
import type { DashboardEdge, DashboardPeer, DashboardSnapshot, DashboardSwarm, StatsReport } from '../core/tracker-protocol.ts'

export interface TrafficBookOptions {
  /** A report older than this is left out of snapshots (and dropped). */
  maxAgeMs?: number
  /** Swarms and peers per swarm in a snapshot, busiest first: the page has one screen. */
  maxSwarms?: number
  maxPeersPerSwarm?: number
  now?: () => number
}

const MAX_AGE_MS = 10_000
const MAX_SWARMS = 32
const MAX_PEERS_PER_SWARM = 200
/** Shown of each id: enough to tell peers and swarms apart, not enough to use. */
const SHORT_PEER_ID = 8
const SHORT_SWARM_ID = 12

interface Entry {
  report: StatsReport
  at: number
}

export class TrafficBook {
  readonly #swarms = new Map<string, Map<string, Entry>>()
  readonly #maxAgeMs: number
  readonly #maxSwarms: number
  readonly #maxPeers: number
  readonly #now: () => number

  constructor(options: TrafficBookOptions = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? MAX_AGE_MS
    this.#maxSwarms = options.maxSwarms ?? MAX_SWARMS
    this.#maxPeers = options.maxPeersPerSwarm ?? MAX_PEERS_PER_SWARM
    this.#now = options.now ?? Date.now
  }

  record(peerId: string, report: StatsReport): void {
    let peers = this.#swarms.get(report.swarm)
    if (!peers) this.#swarms.set(report.swarm, (peers = new Map()))
    peers.set(peerId, { report, at: this.#now() })
  }

  remove(swarm: string, peerId: string): void {
    const peers = this.#swarms.get(swarm)
    if (!peers?.delete(peerId)) return
    if (peers.size === 0) this.#swarms.delete(swarm)
  }

  /** Swarm ids with at least one fresh report. */
  swarmIds(): string[] {
    this.#expire()
    return [...this.#swarms.keys()]
  }

  /** The dashboard's picture; `names` gives a swarm's file name when known. */
  snapshot(names: (swarm: string) => string | undefined = () => undefined): DashboardSnapshot {
    this.#expire()
    const swarms = [...this.#swarms].map(([id, peers]) => describeSwarm(id, [...peers], names(id), this.#maxPeers))
    swarms.sort((a, b) => b.uploadRate - a.uploadRate || b.peers.length - a.peers.length || a.id.localeCompare(b.id))
    return { at: this.#now(), swarms: swarms.slice(0, this.#maxSwarms) }
  }

  #expire(): void {
    const oldest = this.#now() - this.#maxAgeMs
    for (const [swarm, peers] of this.#swarms) {
      for (const [peerId, entry] of peers) if (entry.at < oldest) peers.delete(peerId)
      if (peers.size === 0) this.#swarms.delete(swarm)
    }
  }
}

/**
 * Edges come from both ends: A's rate up to B and B's rate down from A describe the same flow,
 * so the larger one counts (the two are measured a moment apart). Only flows between peers in
 * the picture are drawn. Offload: an origin is a peer that holds the whole file without having
 * downloaded any of it (the seeder that published it); every byte uploaded by anyone else is a
 * byte the origin did not have to send.
 */
function describeSwarm(swarm: string, entries: [string, Entry][], name: string | undefined, maxPeers: number): DashboardSwarm {
  entries.sort(([, a], [, b]) => b.report.uploadRate + b.report.downloadRate - (a.report.uploadRate + a.report.downloadRate))
  const shown = entries.slice(0, maxPeers)
  const short = new Map(shown.map(([peerId]) => [peerId, peerId.slice(0, SHORT_PEER_ID)]))
  const flows = new Map<string, DashboardEdge>()
  const addFlow = (from: string, to: string, rate: number) => {
    const a = short.get(from)
    const b = short.get(to)
    if (a === undefined || b === undefined || rate <= 0) return
    const key = `${a}>${b}`
    const edge = flows.get(key)
    if (!edge) flows.set(key, { from: a, to: b, rate })
    else edge.rate = Math.max(edge.rate, rate)
  }
  let uploaded = 0
  let byOrigins = 0
  let size = 0
  let uploadRate = 0
  const peers: DashboardPeer[] = shown.map(([peerId, { report }]) => {
    const origin = report.complete && report.downloaded === 0
    uploaded += report.uploaded
    if (origin) byOrigins += report.uploaded
    size = Math.max(size, report.size)
    uploadRate += report.uploadRate
    for (const n of report.neighbours) {
      addFlow(peerId, n.peerId, n.up)
      addFlow(n.peerId, peerId, n.down)
    }
    return {
      id: short.get(peerId)!,
      completion: report.size > 0 ? Math.min(1, report.verifiedBytes / report.size) : report.complete ? 1 : 0,
      complete: report.complete,
      origin,
      uploadRate: report.uploadRate,
      downloadRate: report.downloadRate,
    }
  })
  return {
    id: swarm.slice(0, SHORT_SWARM_ID),
    name,
    size,
    peers,
    edges: [...flows.values()],
    offload: uploaded > 0 ? (uploaded - byOrigins) / uploaded : undefined,
    uploadRate,
  }
}
