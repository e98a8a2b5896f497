/**
 * The tracker benchmark's knobs, read from the environment once, with the defaults the issue's
 * targets are stated for: 10,000 connected peers over 100 swarms, 1,000 announces/s in total.
 */

export interface TrackerBenchConfig {
  /** K: simulated peers, one Socket.IO connection each (SHOAL_BENCH_TRACKER_PEERS). */
  peers: number
  /** S: swarms the peers are spread over evenly (SHOAL_BENCH_TRACKER_SWARMS). */
  swarms: number
  /** R: announces per second from all peers together once connected (SHOAL_BENCH_TRACKER_RATE). */
  rate: number
  /** How long the steady announce load runs, after ramp-up (SHOAL_BENCH_TRACKER_SECONDS). */
  seconds: number
  /** New connections per second, all generators together, during ramp-up (SHOAL_BENCH_TRACKER_RAMP). */
  rampPerSecond: number
  /** Load generator processes the peers are split over (SHOAL_BENCH_TRACKER_GENERATORS). */
  generators: number
  /** Rounds of every configuration, interleaved; the report shows each one's median round (SHOAL_BENCH_TRACKER_ROUNDS). */
  rounds: number
  /** Which configurations run, e.g. `echo,one` (SHOAL_BENCH_TRACKER_CONFIGS; default all). */
  configs: ConfigName[]
}

export const CONFIG_NAMES = ['echo', 'one', 'redis'] as const
export type ConfigName = (typeof CONFIG_NAMES)[number]

/** The targets, on this machine. */
export const TARGETS = {
  connectedPeers: 10_000,
  announcesPerSecond: 1_000,
  p99Ms: 25,
  /** Kraken's tracker, for comparison (its published p99). */
  krakenP99Ms: 22,
  memoryPerPeerKB: 20,
} as const

export const DEFAULTS = {
  peers: 10_000,
  swarms: 100,
  rate: 1_000,
  seconds: 20,
  rampPerSecond: 1_000,
  generators: 2,
  rounds: 3,
} as const

/** How long an announce may wait for its ack before it counts as a timeout. */
export const ANNOUNCE_TIMEOUT_MS = 10_000

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}=${raw}: expected a positive integer`)
  return n
}

function configNames(): ConfigName[] {
  const raw = process.env.SHOAL_BENCH_TRACKER_CONFIGS
  if (!raw) return [...CONFIG_NAMES]
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean)
  const unknown = names.filter((n) => !(CONFIG_NAMES as readonly string[]).includes(n))
  if (unknown.length > 0) throw new Error(`SHOAL_BENCH_TRACKER_CONFIGS: unknown ${unknown.join(', ')}; known: ${CONFIG_NAMES.join(', ')}`)
  return names as ConfigName[]
}

export function readConfig(): TrackerBenchConfig {
  const config = {
    peers: positiveInt('SHOAL_BENCH_TRACKER_PEERS', DEFAULTS.peers),
    swarms: positiveInt('SHOAL_BENCH_TRACKER_SWARMS', DEFAULTS.swarms),
    rate: positiveInt('SHOAL_BENCH_TRACKER_RATE', DEFAULTS.rate),
    seconds: positiveInt('SHOAL_BENCH_TRACKER_SECONDS', DEFAULTS.seconds),
    rampPerSecond: positiveInt('SHOAL_BENCH_TRACKER_RAMP', DEFAULTS.rampPerSecond),
    generators: positiveInt('SHOAL_BENCH_TRACKER_GENERATORS', DEFAULTS.generators),
    rounds: positiveInt('SHOAL_BENCH_TRACKER_ROUNDS', DEFAULTS.rounds),
    configs: configNames(),
  }
  if (config.generators > config.peers) throw new Error(`SHOAL_BENCH_TRACKER_GENERATORS (${config.generators}) exceeds the peer count (${config.peers})`)
  if (config.swarms > config.peers) throw new Error(`SHOAL_BENCH_TRACKER_SWARMS (${config.swarms}) exceeds the peer count (${config.peers})`)
  return config
}
