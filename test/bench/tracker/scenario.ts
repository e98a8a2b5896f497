/**
 * One configuration of the tracker benchmark, end to end: start the service processes, let them
 * settle, measure their memory, ramp the simulated peers up, measure again, run the announce
 * load for the set time while watching CPU, and tear everything down.
 */
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { measureCpu } from '../swarm/cpu-usage.ts'
import type { TrackerBenchConfig } from './config.ts'
import type { Quiet } from './quiet.ts'
import { LoadGenerators } from './load.ts'
import type { ConnectReport, FailureCounts, RunReport } from './messages.ts'
import { type ProcessCpu, measureProcessCpu, residentBytes } from './process-stats.ts'
import type { MemoryUsage, ServiceProcess, TrackerStatsView, WindowReport } from './service.ts'

/** The processes one configuration runs: the services peers connect to, and what they share (Redis). */
export interface Deployment {
  services: ServiceProcess[]
  /** Processes whose memory and CPU count as the deployment's, but which peers do not connect to. */
  backing: { label: string; pid: number }[]
  stop(): Promise<void>
}

/** Time for a freshly started or freshly loaded process to finish what it was doing before it is measured. */
const SETTLE_MS = 2000

export interface MemorySnapshot {
  label: string
  /** VmRSS, read from /proc before any forced GC. */
  rss: number
  /** From inside the process after a full GC (services only). */
  afterGc?: MemoryUsage
}

export interface ScenarioResult {
  connectedAfterRamp: number
  connectedAtEnd: number
  rampMs: number
  connectFailures: FailureCounts
  joinLatencies: number[]
  run: RunReport[]
  idle: MemorySnapshot[]
  loaded: MemorySnapshot[]
  afterRun: { label: string; rss: number }[]
  /** RSS of each process once a second during ramp-up. */
  rampRss: { t: number; rss: number[] }[]
  /** Each service and backing process's CPU over the announce window, then each generator's. */
  processCpu: ({ label: string } & ProcessCpu)[]
  /** Each service's own counts (`GET /stats`) after ramp-up and after the window; empty for the echo server. */
  serverStats: { loaded: (TrackerStatsView | undefined)[]; afterRun: (TrackerStatsView | undefined)[] }
  /** Inside each service over the window: GC pauses, event-loop delay. */
  serviceWindows: WindowReport[]
  /** The whole machine over the window: 0..1 of all cores. */
  machineBusy: number
  generatorPids: number[]
  /** How busy the machine was just before the round, and how long it waited for that (quiet.ts). */
  quiet?: Quiet
}

/** The S swarm ids: stable across runs, so results compare. */
export function swarmIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => createHash('sha256').update(`shoal-bench-swarm-${i}`).digest('hex'))
}

export async function runScenario(label: string, deployment: Deployment, config: TrackerBenchConfig): Promise<ScenarioResult> {
  const processes = [...deployment.services.map((s) => ({ label: s.label, pid: s.pid })), ...deployment.backing]
  const snapshot = async (): Promise<MemorySnapshot[]> => {
    // RSS first, as an operator would see it; then the live heap, after a GC the probe forces.
    const rss = await Promise.all(processes.map((p) => residentBytes(p.pid)))
    const afterGc = await Promise.all(deployment.services.map((s) => s.memory(true)))
    return processes.map((p, i) => ({ label: p.label, rss: rss[i]!, ...(afterGc[i] ? { afterGc: afterGc[i] } : {}) }))
  }

  await sleep(SETTLE_MS)
  const idle = await snapshot()

  const rampRss: ScenarioResult['rampRss'] = []
  const rampStarted = performance.now()
  const sampler = setInterval(() => {
    void Promise.all(processes.map((p) => residentBytes(p.pid))).then(
      (rss) => rampRss.push({ t: Math.round(performance.now() - rampStarted), rss }),
      () => undefined,
    )
  }, 1000)
  let lastLog = 0
  const generators = new LoadGenerators(config.generators, (connected) => {
    if (performance.now() - lastLog < 2000) return
    lastLog = performance.now()
    process.stdout.write(`  ${label}: ${connected}/${config.peers} peers connected\n`)
  })
  try {
    const connectReports: ConnectReport[] = await generators
      .connect({ urls: deployment.services.map((s) => s.url), peers: config.peers, swarms: swarmIds(config.swarms), rampPerSecond: config.rampPerSecond })
      .finally(() => clearInterval(sampler))
    const connectedAfterRamp = sum(connectReports.map((r) => r.connected))
    const rampMs = Math.max(...connectReports.map((r) => r.rampMs))
    process.stdout.write(`  ${label}: ${connectedAfterRamp}/${config.peers} peers connected and announced in ${(rampMs / 1000).toFixed(1)} s\n`)

    await sleep(SETTLE_MS)
    const loaded = await snapshot()
    const statsLoaded = await Promise.all(deployment.services.map((s) => s.stats()))
    // The forced GC above is over before the window opens.
    await sleep(1000)

    process.stdout.write(`  ${label}: announcing at ${config.rate}/s for ${config.seconds} s\n`)
    const watched = [...processes, ...generators.pids.map((pid, i) => ({ label: `load generator ${i + 1}`, pid }))]
    const processCpu = await Promise.all(watched.map((p) => measureProcessCpu(p.pid)))
    const machine = measureCpu()
    await Promise.all(deployment.services.map((s) => s.windowStart()))
    const run = await generators.run(config.rate, config.seconds)
    const serviceWindows = await Promise.all(deployment.services.map((s) => s.windowEnd()))
    const machineBusy = machine().busy
    const shares = await Promise.all(processCpu.map((cpu) => cpu()))
    const afterRunRss = await Promise.all(processes.map((p) => residentBytes(p.pid)))
    const statsAfterRun = await Promise.all(deployment.services.map((s) => s.stats()))

    return {
      connectedAfterRamp,
      connectedAtEnd: sum(run.map((r) => r.connectedAtEnd)),
      rampMs,
      connectFailures: mergeCounts(connectReports.map((r) => r.failures)),
      joinLatencies: connectReports.flatMap((r) => r.joinLatencies),
      run,
      idle,
      loaded,
      afterRun: processes.map((p, i) => ({ label: p.label, rss: afterRunRss[i]! })),
      rampRss,
      processCpu: watched.map((p, i) => ({ label: p.label, ...shares[i]! })),
      serverStats: { loaded: statsLoaded, afterRun: statsAfterRun },
      serviceWindows,
      machineBusy,
      generatorPids: generators.pids,
    }
  } finally {
    clearInterval(sampler)
    await generators.close()
  }
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0)
}

export function mergeCounts(counts: readonly FailureCounts[]): FailureCounts {
  const merged: FailureCounts = {}
  for (const c of counts) for (const [code, n] of Object.entries(c)) merged[code] = (merged[code] ?? 0) + n
  return merged
}
