/** The IPC messages between the benchmark and its load generator processes (generator.ts). */

/** Peer `index` (0..K-1 over all generators) is in swarm `index % S` and connects to `urls[floor(index / S) % urls.length]`, so every swarm spans every server. */
export interface GeneratorSetup {
  urls: string[]
  /** This generator's peers: indices [from, to). */
  from: number
  to: number
  /** Swarm ids (64 hex characters), S of them. */
  swarms: string[]
  /** This generator's share of the ramp: new connections per second. */
  rampPerSecond: number
  /** Connections this generator may have opening at once. */
  maxPending: number
}

export type ToGenerator =
  | { type: 'connect'; setup: GeneratorSetup }
  /** Announce at `ratePerSecond` (this generator's share), cycling through its peers, for `seconds`. */
  | { type: 'run'; ratePerSecond: number; seconds: number }
  | { type: 'close' }

/** Failed announces and connections, by cause (a tracker error code, TIMEOUT, DISCONNECTED, CONNECT_ERROR). */
export type FailureCounts = Record<string, number>

export interface ConnectReport {
  type: 'connected'
  connected: number
  failures: FailureCounts
  /** ms from `connect` to the last peer's first announce answered. */
  rampMs: number
  /** ms, emit to ack, of every peer's first announce (taken during the ramp, so not the headline). */
  joinLatencies: number[]
}

export interface RunReport {
  type: 'ran'
  /** Announces sent in the window. */
  sent: number
  /** Answered `ok: true`. */
  ok: number
  failures: FailureCounts
  /** Due but not sent: the peer was disconnected, or its previous announce still unanswered. */
  skipped: number
  /** ms, emit to ack, of every announce answered ok, in send order. */
  latencies: number[]
  /** ms from the window's start to each latency's emit, same order (for a time series). */
  sentAt: number[]
  windowMs: number
  /** Peers still connected when the window closed. */
  connectedAtEnd: number
  /** The generator itself: CPU time over the window as a share of one core, and its event-loop delay. */
  cpuShare: number
  loopDelayMs: { p50: number; p99: number; max: number }
  /** How late the scheduler sent announces, ms past their due time. */
  sendLagMs: { p99: number; max: number }
}

export type FromGenerator = { type: 'progress'; connected: number } | ConnectReport | RunReport | { type: 'closed' } | { type: 'error'; message: string }
