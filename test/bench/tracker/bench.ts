/**
 * Benchmark `tracker` (`npm run bench:tracker`): the tracker in production. Load generators in
 * processes of their own drive K simulated peers over S swarms, announcing at R/s in total,
 * against three configurations in one run, each in several interleaved rounds: a bare Socket.IO echo server (the floor), one
 * `shoal serve` process, and two `shoal serve --redis` processes sharing a redis-server, the
 * peers split between them. Reports connected peers, announces/s, announce latency p50/p99/max
 * and memory per connected peer against the targets.
 *
 * Knobs: SHOAL_BENCH_TRACKER_PEERS (K, default 10000), _SWARMS (S, 100), _RATE (R, 1000),
 * _SECONDS (announce window, 20), _RAMP (new connections/s, 1000), _GENERATORS (2), _ROUNDS
 * (3, interleaved; the report shows each configuration's median round), _CONFIGS (which of
 * echo,one,redis run; all by default). See config.ts.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { BenchResult } from '../bench-result.ts'
import { type ConfigName, readConfig } from './config.ts'
import { REDIS_SERVER, startRedis } from './redis.ts'
import { type Outcome, trackerReport } from './report.ts'
import { waitForQuiet } from './quiet.ts'
import { type Deployment, runScenario } from './scenario.ts'
import { startEchoServer, startShoalServe } from './service.ts'

const BIN = fileURLToPath(new URL('../../../bin/shoal.js', import.meta.url))
/** Tracker processes in the scale-out configuration. */
const REDIS_TRACKERS = 2

interface Configuration {
  label: string
  floor: boolean
  services: number
  /** Why it cannot run here, if it cannot. */
  unavailable(): Promise<string | undefined>
  deploy(): Promise<Deployment>
}

const CONFIGURATIONS: Record<ConfigName, Configuration> = {
  echo: {
    label: 'socket.io echo (floor)',
    floor: true,
    services: 1,
    unavailable: async () => undefined,
    deploy: async () => {
      const echo = await startEchoServer()
      return { services: [echo], backing: [], stop: () => echo.stop() }
    },
  },
  one: {
    label: 'shoal serve, 1 process',
    floor: false,
    services: 1,
    unavailable: async () => undefined,
    deploy: async () => {
      const tracker = await startShoalServe()
      return { services: [tracker], backing: [], stop: () => tracker.stop() }
    },
  },
  redis: {
    label: `shoal serve × ${REDIS_TRACKERS} + Redis`,
    floor: false,
    services: REDIS_TRACKERS,
    unavailable: async () => {
      if (!existsSync(REDIS_SERVER)) return `${REDIS_SERVER} not found (apt-get install -y redis-server, or set REDIS_SERVER)`
      const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'serve', '--help'])
      return stdout.includes('--redis') ? undefined : '`shoal serve` has no --redis option yet'
    },
    deploy: async () => {
      const redis = await startRedis()
      const started = await Promise.allSettled(Array.from({ length: REDIS_TRACKERS }, () => startShoalServe(['--redis', redis.url])))
      const trackers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
      const stop = async () => {
        await Promise.all(trackers.map((t) => t.stop()))
        await redis.stop()
      }
      const failed = started.find((s) => s.status === 'rejected')
      if (failed) {
        await stop()
        throw failed.reason
      }
      return { services: trackers, backing: [{ label: 'redis-server', pid: redis.pid }], stop }
    },
  },
}

export async function trackerBench(): Promise<BenchResult> {
  const config = readConfig()
  console.log(
    `  K=${config.peers} peers, S=${config.swarms} swarms, R=${config.rate}/s for ${config.seconds} s, ramp ${config.rampPerSecond}/s, ${config.generators} generator(s), ${config.rounds} round(s)`,
  )
  const outcomes: Outcome[] = []
  for (const name of config.configs) {
    const c = CONFIGURATIONS[name]
    const skipped = await c.unavailable()
    if (skipped) console.warn(`  ${c.label}: skipped, ${skipped}`)
    outcomes.push({ name, label: c.label, floor: c.floor, services: c.services, rounds: [], ...(skipped ? { skipped } : {}) })
  }
  // Interleaved, so a burst of other work on the machine spoils one round, not one configuration.
  for (let round = 1; round <= config.rounds; round++) {
    for (const outcome of outcomes.filter((o) => !o.skipped)) {
      const c = CONFIGURATIONS[outcome.name as ConfigName]
      const label = `${c.label} #${round}`
      const quiet = await waitForQuiet()
      console.log(`  ${label} (machine ${Math.round(quiet.busy * 100)}% busy after waiting ${(quiet.waitedMs / 1000).toFixed(0)} s)`)
      const deployment = await c.deploy()
      try {
        outcome.rounds.push({ ...(await runScenario(label, deployment, config)), quiet })
      } finally {
        await deployment.stop()
      }
    }
  }
  return trackerReport(config, outcomes)
}
