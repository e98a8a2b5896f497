/** The markdown under the tracker benchmark's tables: method, caveats, and what the numbers say. */
import { cpus } from 'node:os'
import { DEFAULT_TRACKER_LIMITS } from '../../../signaling/handlers.ts'
import { ANNOUNCE_TIMEOUT_MS, TARGETS } from './config.ts'
import type { TrackerBenchConfig } from './config.ts'
import { RATE_TOLERANCE, tail } from './figures.ts'
import { int, ms, pct } from './format.ts'
import type { Measured, Outcome } from './report.ts'
import type { ScenarioResult } from './scenario.ts'

export function notes(config: TrackerBenchConfig, outcomes: Outcome[], measured: Measured[]): string {
  const interval = config.peers / config.rate
  const lines = [
    `**Method.** Each configuration starts its service processes fresh: the real \`shoal serve --port 0 --json\` (bin/shoal.js, default log level), the same with \`--redis\` twice over one \`redis-server\` (\`--save '' --appendonly no\`), or, as the floor, a bare Socket.IO server configured like the tracker that acks every \`announce\` at once with an empty peer list. ${config.generators} load generator process(es) (test/bench/tracker/generator.ts) open K = ${int(config.peers)} raw socket.io-client connections (websocket transport, a session key in the handshake, as TrackerClient does) at ${int(config.rampPerSecond)} new connections/s; each peer announces once as soon as it is connected (peer \`i\` in swarm \`i mod ${config.swarms}\`, one in ten a seeder; with two trackers, consecutive blocks of ${config.swarms} peers alternate between them, so every swarm spans both). Then the generators announce at R = ${int(config.rate)}/s in total for ${config.seconds} s, cycling through their peers, so each peer re-announces every ${interval.toFixed(1)} s; with ${Math.ceil(config.peers / config.swarms)} peers per swarm each answer carries up to ${DEFAULT_TRACKER_LIMITS.handoutSize} peers. The schedule is open-loop (an announce goes out when due even if earlier ones are unanswered), so a slow service shows as latency, not as a lower rate. Latency is emit to ack (\`timeout(${ANNOUNCE_TIMEOUT_MS / 1000}s).emitWithAck\`) measured in the generator over every announce of the window; the first announces, during ramp-up, are in the JSON (\`joinLatency\`), not the table.`,
    `**Rounds.** The configurations run in turn, ${config.rounds} round(s) of each, interleaved (echo, one, two, echo, ...), so a burst of other work on this shared machine hits one round rather than one configuration; before each round the benchmark waits (up to a minute) until the machine's cores are at most 35% busy over 2 s ("busy before"; "busy during" is the whole machine over the announce window, the benchmark's own processes included). The headline shows each configuration's median round by p99${config.rounds > 1 ? '; every round is listed below it' : ''}. The JSON keeps, for every round, all latency samples as a histogram (two significant digits), per-second p50/p99, memory over the ramp-up and each process's CPU.`,
    `**Memory per peer** is the service processes' VmRSS (from /proc) after all peers connected and announced (2 s settled) minus VmRSS when idle (2 s after start), divided by the peers connected; "heap" is the same for V8's heapUsed after a forced full GC (the services run with \`--expose-gc\` and a small IPC probe preloaded, service-probe.mjs, which also records their GC pauses and event-loop delay during the window). KB = 1000 bytes. The two-process row counts both tracker processes; Redis's RSS is in the per-process table. RSS keeps growing during the window (garbage between collections; "RSS after run"), which the per-peer figure, taken before the window, leaves out.`,
    `**Targets** (the issue's, on this machine): ${int(TARGETS.connectedPeers)} peers connected in one process, p99 < ${TARGETS.p99Ms} ms at ${int(TARGETS.announcesPerSecond)} announces/s (Kraken's tracker measured p99 ${TARGETS.krakenP99Ms} ms), < ${TARGETS.memoryPerPeerKB} KB per connected peer, nothing failed. "connected peers" are those still connected at the end of the window; "announces/s" counts announces answered ok among those sent in the window, per second of the window (met within ${Math.round((1 - RATE_TOLERANCE) * 100)}%); "failed" counts failed connections and announces (by cause in the JSON) and announces skipped because a peer had dropped or its previous announce was still unanswered.`,
    `**Caveats.** Everything shares one ${cpus().length}-core machine with other work: the services, Redis, the generators, the benchmark itself and whatever else runs (see "machine busy"; a round where it nears 100% was starved). A generator whose event loop is late reads acks late and inflates the latency it measures, so the generators' own CPU and loop delay are in the per-process table, with how long each process's main thread waited for a core (/proc/<pid>/schedstat) during the window, and each tracker row is compared with the echo floor measured in the same run rather than across machines. All load comes from 127.0.0.1; the tracker has no per-address cap (its only limit is per connection: ${DEFAULT_TRACKER_LIMITS.eventBurst} events at once, ${DEFAULT_TRACKER_LIMITS.eventsPerSecond}/s after), so this measures capacity, not admission policy. Ramp-up is throttled because thousands of websocket upgrades at once would overflow the listen backlog, not because the tracker needs it.`,
  ]
  for (const o of outcomes) if (o.skipped) lines.push(`**${o.label}** did not run: ${o.skipped}.`)
  for (const m of measured) {
    const r = m.rounds[m.median]!
    const findings = [tailText(r), generatorText(r), m.floor ? '' : serverView(r), failuresText(m)].filter(Boolean)
    lines.push(`**${m.label}** (median round): ${findings.join(' ')}`)
  }
  return lines.join('\n\n')
}

function tailText(r: ScenarioResult): string {
  const t = tail(r)
  if (t.slow === 0) return `every announce was answered within ${TARGETS.p99Ms} ms.`
  const pause = t.longestGcPauseMs === undefined ? '' : ` The longest GC pause inside the service(s) was ${ms(t.longestGcPauseMs)} ms.`
  return `${int(t.slow)} of ${int(t.total)} announces (${((t.slow / t.total) * 100).toFixed(2)}%) took ${TARGETS.p99Ms} ms or more, ${int(t.inWorstSecond)} of them sent within one second (second ${t.worstSecond} of the window).${pause}${stallText(r)}`
}

/**
 * A major GC's final pause (what the GC observer reports) ends a marking phase whose steps also
 * run on the main thread, between tasks, for a while before it: on two busy cores the concurrent
 * markers get little time, so the loop stalls ahead of the pause the observer sees.
 */
const MAJOR_GC_LEAD_MS = 1000

/** The services' event-loop stalls, and how many fall in a GC pause or in the marking before a major GC. */
function stallText(r: ScenarioResult): string {
  const stalls = r.serviceWindows.flatMap((w) =>
    w.stalls.map((s) => {
      const end = s.atMs + s.ms
      const inPause = w.longPauses.some((p) => p.atMs <= end && p.atMs + p.ms >= s.atMs)
      const beforeMajor = w.longPauses.some((p) => p.kind === 'major' && p.atMs >= s.atMs - 50 && p.atMs <= end + MAJOR_GC_LEAD_MS)
      return { ...s, gc: inPause || beforeMajor, major: beforeMajor }
    }),
  )
  if (stalls.length === 0) return ''
  const longest = stalls.reduce((a, b) => (b.ms > a.ms ? b : a))
  const major = stalls.filter((s) => s.major).length
  const other = stalls.filter((s) => !s.gc).length
  return ` The service event loop(s) stalled ${stalls.length} time(s) for over 50 ms (longest ${ms(longest.ms)} ms at ${(longest.atMs / 1000).toFixed(1)} s): ${major} within ${MAJOR_GC_LEAD_MS / 1000} s before a major GC's final pause (its marking), ${stalls.length - major - other} in a minor GC, ${other} with no GC then (another process holding the cores, most likely).`
}

function generatorText(r: ScenarioResult): string {
  const busiest = Math.max(...r.run.map((g) => g.cpuShare))
  const lag = Math.max(...r.run.map((g) => g.loopDelayMs.p99))
  return `The busiest load generator used ${pct(busiest)} of a core (event-loop delay p99 ${ms(lag)} ms).`
}

/** What the trackers counted themselves, per process: a cross-check of the generators' view. */
function serverView(r: ScenarioResult): string {
  const { loaded, afterRun } = r.serverStats
  if (loaded.every((v) => v === undefined)) return ''
  const parts = loaded.map((before, i) => {
    const after = afterRun[i]
    if (!before || !after) return `process ${i + 1} gave no stats`
    const refused = Object.entries(after.rejections).map(([code, n]) => `${code} ${n - (before.rejections[code] ?? 0)}`)
    const peers = before.peers === null ? '?' : int(before.peers)
    return `process ${i + 1} held ${int(before.sockets)} connections and ${peers} peers in ${before.swarms ?? '?'} swarms after ramp-up and accepted ${int(after.announces - before.announces)} announces in the window${refused.length > 0 ? ` (refused: ${refused.join(', ')})` : ''}`
  })
  return `By the tracker's own \`GET /stats\`: ${parts.join('; ')}.`
}

function failuresText(m: Measured): string {
  const f = m.figures[m.median]!
  return f.failed === 0 ? '' : `Failures by cause: ${Object.entries(f.failures).map(([code, n]) => `${code} ${int(n)}`).join(', ')}.`
}
