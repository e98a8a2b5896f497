/** Latency samples: percentiles, per-second figures and a compact histogram for the JSON report. */
import { round } from '../stats.ts'

/** The `q` quantile (0..1) of an ascending array, nearest rank; NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank]!
}

export interface LatencySummary {
  count: number
  p50: number
  p90: number
  p99: number
  p999: number
  max: number
  mean: number
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b)
  const mean = sorted.reduce((sum, v) => sum + v, 0) / (sorted.length || 1)
  const at = (q: number) => round(percentile(sorted, q), 3)
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: round(sorted.at(-1) ?? Number.NaN, 3), mean: round(mean, 3) }
}

/**
 * Per-second buckets of a run: announces answered and their p50/p99, keyed by when they were
 * sent. A p99 driven by one stall (a GC pause, another process taking the core) shows up as one
 * bad second rather than a general slowness.
 */
export function perSecond(latencies: readonly number[], sentAt: readonly number[]): { second: number; answered: number; p50: number; p99: number }[] {
  const buckets: number[][] = []
  latencies.forEach((ms, i) => {
    const s = Math.floor(sentAt[i]! / 1000)
    ;(buckets[s] ??= []).push(ms)
  })
  return [...buckets.entries()].map(([second, bucket = []]) => {
    const sorted = bucket.sort((a, b) => a - b)
    return { second, answered: sorted.length, p50: round(percentile(sorted, 0.5), 2), p99: round(percentile(sorted, 0.99), 2) }
  })
}

/**
 * Every sample, bucketed HDR-style to two significant digits (0.34 ms, 1.2 ms, 23 ms, 230 ms):
 * at most 1% to 10% coarser than the sample, a few hundred buckets for any run. `floorsMs[i]`
 * is a bucket's lower bound, ascending, and `counts[i]` its samples.
 */
export function histogram(samples: readonly number[]): { floorsMs: number[]; counts: number[] } {
  const counts = new Map<number, number>()
  for (const v of samples) {
    const step = v > 0 ? 10 ** (Math.floor(Math.log10(v)) - 1) : 1
    const floor = Number((Math.floor(v / step) * step).toPrecision(2))
    counts.set(floor, (counts.get(floor) ?? 0) + 1)
  }
  const buckets = [...counts.entries()].sort((a, b) => a[0] - b[0])
  return { floorsMs: buckets.map(([floor]) => floor), counts: buckets.map(([, n]) => n) }
}
