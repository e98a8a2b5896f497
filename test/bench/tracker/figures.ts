/** The headline numbers of one configuration's round, and how they compare with the targets. */
import { TARGETS } from './config.ts'
import type { TrackerBenchConfig } from './config.ts'
import { type LatencySummary, summarize } from './latency.ts'
import { type ScenarioResult, mergeCounts, sum } from './scenario.ts'

/** Achieved rates within 1% of the target count as meeting it: the scheduler sends whole announces per tick. */
export const RATE_TOLERANCE = 0.99
const KB = 1000

export interface Figures {
  connected: number
  announcesPerSecond: number
  latency: LatencySummary
  /** Service processes only (Redis, if any, is counted in backingRssPerPeerKB). */
  rssPerPeerKB: number
  heapPerPeerKB: number
  backingRssPerPeerKB: number | undefined
  failed: number
  failures: Record<string, number>
  machineBusy: number
}

/** `services`: how many of the processes measured are services (the rest, e.g. Redis, back them). */
export function figures(result: ScenarioResult, services: number): Figures {
  const peers = result.connectedAfterRamp || Number.NaN
  const delta = (pick: (s: ScenarioResult['idle'][number]) => number, from: number, to: number) =>
    sum(result.loaded.slice(from, to).map(pick)) - sum(result.idle.slice(from, to).map(pick))
  const processes = result.idle.length
  const windowS = result.run[0]!.windowMs / 1000
  const skipped = sum(result.run.map((r) => r.skipped))
  const failures = mergeCounts([result.connectFailures, ...result.run.map((r) => r.failures), skipped > 0 ? { skipped } : {}])
  return {
    connected: result.connectedAtEnd,
    announcesPerSecond: sum(result.run.map((r) => r.ok)) / windowS,
    latency: summarize(result.run.flatMap((r) => r.latencies)),
    rssPerPeerKB: delta((s) => s.rss, 0, services) / peers / KB,
    heapPerPeerKB: delta((s) => s.afterGc?.heapUsed ?? 0, 0, services) / peers / KB,
    backingRssPerPeerKB: processes > services ? delta((s) => s.rss, services, processes) / peers / KB : undefined,
    failed: sum(Object.values(failures)),
    failures,
    machineBusy: result.machineBusy,
  }
}

/** The targets `f` misses, by short name; empty when it meets them all. */
export function missed(f: Figures, config: TrackerBenchConfig): string[] {
  const misses: string[] = []
  if (f.connected < TARGETS.connectedPeers) misses.push('peers')
  if (config.rate < TARGETS.announcesPerSecond || f.announcesPerSecond < TARGETS.announcesPerSecond * RATE_TOLERANCE) misses.push('rate')
  if (!(f.latency.p99 < TARGETS.p99Ms)) misses.push('p99')
  if (!(f.rssPerPeerKB < TARGETS.memoryPerPeerKB)) misses.push('memory')
  if (f.failed > 0) misses.push('failures')
  return misses
}

/** The index of the round with the median p99 (the lower middle one for an even count). */
export function medianRound(rounds: readonly Figures[]): number {
  const order = rounds.map((f, i) => ({ p99: f.latency.p99, i })).sort((a, b) => a.p99 - b.p99)
  return order[Math.floor((order.length - 1) / 2)]!.i
}

export interface Tail {
  slow: number
  total: number
  /** The second of the window (by send time) holding the most slow announces, and how many. */
  worstSecond: number | undefined
  inWorstSecond: number
  longestGcPauseMs: number | undefined
}

/** How many announces missed the p99 target, and whether they bunch up in one stretch (a stall) or spread out (overload). */
export function tail(r: ScenarioResult): Tail {
  const slowBySecond = new Map<number, number>()
  let slow = 0
  let total = 0
  for (const g of r.run) {
    g.latencies.forEach((v, i) => {
      total++
      if (v < TARGETS.p99Ms) return
      slow++
      const second = Math.floor(g.sentAt[i]! / 1000)
      slowBySecond.set(second, (slowBySecond.get(second) ?? 0) + 1)
    })
  }
  const worst = [...slowBySecond.entries()].sort((a, b) => b[1] - a[1])[0]
  const pauses = r.serviceWindows.flatMap((w) => w.longestPausesMs)
  return { slow, total, worstSecond: worst?.[0], inWorstSecond: worst?.[1] ?? 0, longestGcPauseMs: pauses.length > 0 ? Math.max(...pauses) : undefined }
}
