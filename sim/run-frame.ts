/**
 * What every granularity shares around its own peers: when they arrive and leave (leechers
 * joining over the join spread, churn replacing some of them), and how a finished run is summed
 * up into a SimResult. Random draws happen in the same order for every model, so one seed means
 * one arrival schedule.
 */
import { choosePieceSize, pieceCount } from '../core/manifest.ts'
import { seededRandom } from './random.ts'
import type { SimConfig, SimResult } from './simulation.ts'

/** A config with its defaults filled in, the same for every model. */
export interface RunSettings {
  seed: number
  /** The run's own random stream: arrival times, churn, handouts, each peer's seed. */
  random: () => number
  seeders: number
  latencyMs: number
  pieceSize: number
  pieces: number
  /** Download capacities, one per peer in turn; the upload capacities unless given. */
  download: number[]
}

export function runSettings(config: SimConfig): RunSettings {
  const seed = config.seed ?? 1
  const pieceSize = config.pieceSize ?? choosePieceSize(config.sizeBytes)
  return {
    seed,
    random: seededRandom(seed),
    seeders: config.seeders ?? 1,
    latencyMs: config.latencyMs ?? 20,
    pieceSize,
    pieces: pieceCount(config.sizeBytes, pieceSize),
    download: config.download ?? config.upload,
  }
}

/** What the frame needs to know of a model's peer. */
export interface Arrival {
  readonly seeder: boolean
  readonly joinedAt: number
  readonly doneAt?: number | undefined
}

export interface ArrivalHooks<P extends Arrival> {
  /** Schedules `fn` at virtual time `ms`. */
  at(ms: number, fn: () => void): void
  random: () => number
  online: ReadonlyMap<string, P>
  /** Adds a peer now; `index` picks its link rates from the config's lists. */
  addPeer(seeder: boolean, index: number): P
  leave(peer: P): void
}

/**
 * Adds the seeders now, schedules every leecher's join and the churn; returns the virtual time
 * until which churn may still happen (0 without churn).
 */
export function scheduleArrivals<P extends Arrival>(config: SimConfig, seeders: number, idealMs: number, hooks: ArrivalHooks<P>): number {
  const { at, random, online, addPeer, leave } = hooks
  for (let i = 0; i < seeders; i++) addPeer(true, 0)
  const joinSpread = config.joinSpreadMs ?? 0
  for (let i = 0; i < config.peers; i++) {
    const when = joinSpread > 0 ? random() * joinSpread : 0
    at(when, () => addPeer(false, i))
  }
  const churned = Math.round((config.churn ?? 0) * config.peers)
  // Churn: a leecher picked at random leaves somewhere in the first ideal time; a fresh one arrives.
  for (let i = 0; i < churned; i++) {
    const when = joinSpread + random() * idealMs
    at(when, () => {
      const leechers = [...online.values()].filter((p) => !p.seeder && p.doneAt === undefined)
      if (leechers.length === 0) return
      const victim = leechers[Math.floor(random() * leechers.length)]!
      leave(victim)
      addPeer(false, Math.floor(random() * config.upload.length))
    })
  }
  return churned === 0 ? 0 : joinSpread + idealMs
}

/** How one model's run ended, in the model's own terms. */
export interface RunOutcome {
  granularity: SimResult['granularity']
  seeders: number
  pieceSize: number
  pieces: number
  latencyMs: number
  idealMs: number
  /** Leechers still in the swarm at the end (those that churned out are not counted). */
  finishers: Arrival[]
  originUploadedBytes: number
  events: number
  /** performance.now() when the run began. */
  wallStart: number
  seed: number
}

export function summarize(config: SimConfig, run: RunOutcome): SimResult {
  const { finishers, originUploadedBytes } = run
  const times = finishers.flatMap((p) => (p.doneAt === undefined ? [] : [(p.doneAt - p.joinedAt) / 1000])).sort((a, b) => a - b)
  return {
    peers: config.peers,
    seeders: run.seeders,
    sizeBytes: config.sizeBytes,
    pieceSize: run.pieceSize,
    pieces: run.pieces,
    granularity: run.granularity,
    bandwidth: config.upload[0]!,
    latencyMs: run.latencyMs,
    churn: config.churn ?? 0,
    idealSeconds: run.idealMs / 1000,
    clientServerSeconds: (config.peers * config.sizeBytes) / (config.upload[0]! * run.seeders),
    p50Seconds: quantile(times, 0.5),
    p99Seconds: quantile(times, 0.99),
    maxSeconds: times.length === finishers.length ? (times.at(-1) ?? 0) : Infinity,
    completed: times.length,
    finishers: finishers.length,
    originUploadedBytes,
    originCopies: originUploadedBytes / config.sizeBytes,
    events: run.events,
    wallSeconds: (performance.now() - run.wallStart) / 1000,
    seed: run.seed,
  }
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
}
