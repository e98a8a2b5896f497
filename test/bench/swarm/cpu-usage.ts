/**
 * How busy the whole machine's CPUs were over an interval (all processes, from the kernel's
 * per-core counters). A swarm that misses its time target on a machine near 100% is CPU bound
 * (SCTP over DTLS, many peers on few cores), not held back by its protocol.
 */
import { cpus } from 'node:os'

export interface CpuUsage {
  cores: number
  /** 0..1: the share of all cores' time spent not idle. */
  busy: number
}

function totals(): { idle: number; total: number } {
  let idle = 0
  let total = 0
  for (const { times } of cpus()) {
    idle += times.idle
    total += times.user + times.nice + times.sys + times.idle + times.irq
  }
  return { idle, total }
}

/** Starts measuring; the returned function answers the usage since then. */
export function measureCpu(): () => CpuUsage {
  const start = totals()
  return () => {
    const end = totals()
    const total = end.total - start.total
    return { cores: cpus().length, busy: total > 0 ? 1 - (end.idle - start.idle) / total : 0 }
  }
}
