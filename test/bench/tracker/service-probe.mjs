// Preloaded into each service under test (`node --expose-gc --import <this file> ...`): answers
// the tracker benchmark's questions over the IPC channel. `memory`: process.memoryUsage(), after
// a full garbage collection when asked, so heap per peer counts live objects only. `window`
// start/end: the garbage collection pauses and event-loop delay in between, which is where a
// latency tail that the load does not explain comes from.
// Plain JavaScript: it loads before the service's own TypeScript loader (tsx) is registered.
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks'

const LOOP_RESOLUTION_MS = 5
const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
}

/** A gap this much longer than the stall timer's interval is recorded with its time, to line it up with the latency per second. */
const STALL_MS = 50
const STALL_TICK_MS = 10

let pauses = []
let stalls = []
let loopDelay
let stallTimer
let windowStart = 0
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    pauses.push({ kind: KINDS[entry.detail?.kind] ?? 'other', ms: entry.duration, atMs: entry.startTime - windowStart })
  }
})

function windowReport() {
  const byKind = {}
  for (const { kind, ms } of pauses) {
    const k = (byKind[kind] ??= { count: 0, totalMs: 0, maxMs: 0 })
    k.count++
    k.totalMs += ms
    k.maxMs = Math.max(k.maxMs, ms)
  }
  // The histogram holds whole sampling intervals; lateness is what exceeds one.
  const late = (ns) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS)
  const round = (v) => Math.round(v * 10) / 10
  return {
    gc: byKind,
    longestPausesMs: pauses.map((p) => p.ms).sort((a, b) => b - a).slice(0, 5),
    /** GC pauses of 10 ms or more and every major or incremental one, with when they started (ms since the window opened). */
    longPauses: pauses
      .filter((p) => p.ms >= 10 || p.kind === 'major' || p.kind === 'incremental')
      .map((p) => ({ kind: p.kind, atMs: round(p.atMs), ms: round(p.ms) })),
    /** Event-loop stalls over STALL_MS, same clock: one with no GC pause at its time was something else. */
    stalls: stalls.map((g) => ({ atMs: round(g.atMs), ms: round(g.ms) })),
    loopDelayMs: { p50: late(loopDelay.percentile(50)), p99: late(loopDelay.percentile(99)), max: late(loopDelay.max) },
  }
}

process.on('message', (message) => {
  if (message?.type === 'memory') {
    if (message.gc) globalThis.gc?.()
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage()
    process.send?.({ type: 'memory', id: message.id, rss, heapUsed, heapTotal, external, arrayBuffers })
  } else if (message?.type === 'window' && message.action === 'start') {
    pauses = []
    stalls = []
    windowStart = performance.now()
    let last = windowStart
    stallTimer = setInterval(() => {
      const now = performance.now()
      const late = now - last - STALL_TICK_MS
      if (late > STALL_MS) stalls.push({ atMs: last - windowStart, ms: late })
      last = now
    }, STALL_TICK_MS)
    gcObserver.observe({ entryTypes: ['gc'] })
    loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS })
    loopDelay.enable()
    process.send?.({ type: 'window', id: message.id })
  } else if (message?.type === 'window' && message.action === 'end' && loopDelay) {
    gcObserver.disconnect()
    clearInterval(stallTimer)
    loopDelay.disable()
    process.send?.({ type: 'window', id: message.id, report: windowReport() })
  }
})
// The channel is only for the benchmark's questions: it must not keep the service alive.
process.channel?.unref()
