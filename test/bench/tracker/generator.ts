/**
 * A load generator for the tracker benchmark, in a process of its own (forked by load.ts), so
 * the peers it simulates do not share an event loop with the service under test. Each simulated
 * peer is a raw Socket.IO connection, as TrackerClient opens one (websocket transport, its own
 * session key in the handshake), that announces in one swarm and then again whenever the
 * scheduler picks it. The scheduler is open-loop: announces go out at the asked rate whether or
 * not earlier ones were answered, so a slow tracker shows up as latency, not as a lower rate.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { io } from 'socket.io-client'
import type { Socket } from 'socket.io-client'
import { randomHex } from '../../../core/bytes.ts'
import type { Announce, ClientToServerEvents, ServerToClientEvents } from '../../../core/tracker-protocol.ts'
import { ANNOUNCE_TIMEOUT_MS } from './config.ts'
import { percentile } from './latency.ts'
import type { ConnectReport, FailureCounts, FromGenerator, GeneratorSetup, RunReport, ToGenerator } from './messages.ts'

type PeerSocket = Socket<ServerToClientEvents, ClientToServerEvents>

interface Peer {
  socket: PeerSocket
  body: Announce
  /** An announce is out and unanswered. */
  busy: boolean
}

/** How often the schedulers wake up; each wake-up sends whatever fell due since the last. */
const TICK_MS = 2
/** Pieces in the simulated file: peers report progress towards it on every announce. */
const PIECES = 1000

/** The event-loop delay sampling interval. The histogram holds whole intervals (ns), so lateness subtracts it. */
const LOOP_DELAY_RESOLUTION_MS = 5
const lateness = (ns: number) => Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS)

const send = (message: FromGenerator) => process.send!(message)
const peers: Peer[] = []

function count(failures: FailureCounts, code: string): void {
  failures[code] = (failures[code] ?? 0) + 1
}

/** Emit to ack in ms, or why it failed. */
async function announce(peer: Peer): Promise<{ ms: number } | { code: string }> {
  peer.busy = true
  const startedAt = performance.now()
  try {
    const answer = await peer.socket.timeout(ANNOUNCE_TIMEOUT_MS).emitWithAck('announce', peer.body)
    const ms = performance.now() - startedAt
    return answer.ok ? { ms } : { code: answer.error.code }
  } catch {
    return { code: peer.socket.connected ? 'TIMEOUT' : 'DISCONNECTED' }
  } finally {
    peer.busy = false
    // The next announce reports a little more progress, as a downloading peer's would.
    if (!peer.body.complete) peer.body = { ...peer.body, pieces: Math.min(PIECES - 1, peer.body.pieces + 1) }
  }
}

function openPeer(setup: GeneratorSetup, index: number): Peer {
  const url = setup.urls[Math.floor(index / setup.swarms.length) % setup.urls.length]!
  const socket: PeerSocket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    // A dropped peer stays dropped and is counted: a reconnect would hide the failure.
    reconnection: false,
    timeout: 30_000,
    auth: { sessionKey: randomHex(16) },
  })
  // One peer in ten is a seeder; the others hold some of the pieces.
  const complete = index % 10 === 0
  const body: Announce = {
    swarm: setup.swarms[index % setup.swarms.length]!,
    peerId: `bench-peer-${index}`,
    pieces: complete ? PIECES : (index * 7) % PIECES,
    complete,
  }
  return { socket, body, busy: false }
}

/** Opens every peer at the ramp rate, with at most `maxPending` opening at once; each announces once connected. */
function connectAll(setup: GeneratorSetup): Promise<ConnectReport> {
  const total = setup.to - setup.from
  const failures: FailureCounts = {}
  const joinLatencies: number[] = []
  const t0 = performance.now()
  let next = setup.from
  let pending = 0
  let settled = 0
  let connected = 0
  return new Promise((resolve) => {
    const progress = setInterval(() => send({ type: 'progress', connected }), 1000)
    const finish = () => {
      settled++
      pending--
      if (settled < total) return
      clearInterval(progress)
      resolve({ type: 'connected', connected, failures, rampMs: performance.now() - t0, joinLatencies })
    }
    const start = (index: number) => {
      pending++
      const peer = openPeer(setup, index)
      peers.push(peer)
      peer.socket.once('connect_error', (err) => {
        count(failures, `CONNECT_ERROR: ${err.message}`)
        finish()
      })
      peer.socket.once('connect', () => {
        void announce(peer).then((outcome) => {
          if ('ms' in outcome) {
            joinLatencies.push(outcome.ms)
            connected++
          } else count(failures, outcome.code)
          finish()
        })
      })
    }
    const ramp = setInterval(() => {
      const allowed = Math.floor(((performance.now() - t0) / 1000) * setup.rampPerSecond) + 1
      while (next < setup.to && next - setup.from < allowed && pending < setup.maxPending) start(next++)
      if (next >= setup.to) clearInterval(ramp)
    }, TICK_MS)
  })
}

/** Announces at `ratePerSecond` for `seconds`, cycling through the peers, then waits for the last answers. */
function run(ratePerSecond: number, seconds: number): Promise<RunReport> {
  const windowMs = seconds * 1000
  const failures: FailureCounts = {}
  const latencies: number[] = []
  const sentAt: number[] = []
  const lags: number[] = []
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS })
  loopDelay.enable()
  const cpuBefore = process.cpuUsage()
  const t0 = performance.now()
  let due = 0
  let sent = 0
  let ok = 0
  let skipped = 0
  let outstanding = 0
  let cursor = 0
  return new Promise((resolve) => {
    const report = () => {
      loopDelay.disable()
      const cpu = process.cpuUsage(cpuBefore)
      const lagsSorted = lags.sort((a, b) => a - b)
      resolve({
        type: 'ran',
        sent,
        ok,
        failures,
        skipped,
        latencies,
        sentAt,
        windowMs,
        connectedAtEnd: peers.filter((p) => p.socket.connected).length,
        cpuShare: (cpu.user + cpu.system) / 1000 / (performance.now() - t0),
        loopDelayMs: { p50: lateness(loopDelay.percentile(50)), p99: lateness(loopDelay.percentile(99)), max: lateness(loopDelay.max) },
        sendLagMs: { p99: percentile(lagsSorted, 0.99), max: lagsSorted.at(-1) ?? 0 },
      })
    }
    let windowOpen = true
    const tick = setInterval(() => {
      const elapsed = performance.now() - t0
      const dueNow = Math.floor((Math.min(elapsed, windowMs) / 1000) * ratePerSecond)
      for (; due < dueNow; due++) {
        lags.push(elapsed - (due * 1000) / ratePerSecond)
        const peer = peers[cursor++ % peers.length]!
        if (!peer.socket.connected || peer.busy) {
          skipped++
          continue
        }
        sent++
        outstanding++
        const at = performance.now() - t0
        void announce(peer).then((outcome) => {
          outstanding--
          if ('ms' in outcome) {
            ok++
            latencies.push(outcome.ms)
            sentAt.push(at)
          } else count(failures, outcome.code)
          if (!windowOpen && outstanding === 0) report()
        })
      }
      if (elapsed >= windowMs) {
        windowOpen = false
        clearInterval(tick)
        if (outstanding === 0) report()
      }
    }, TICK_MS)
  })
}

process.on('message', (message: ToGenerator) => {
  const reply = (work: Promise<FromGenerator>) =>
    work.then(send, (err: unknown) => send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }))
  switch (message.type) {
    case 'connect':
      return void reply(connectAll(message.setup))
    case 'run':
      return void reply(run(message.ratePerSecond, message.seconds))
    case 'close':
      for (const peer of peers) peer.socket.disconnect()
      // Let the close frames go out before the process goes.
      return void reply(new Promise((resolve) => setTimeout(() => resolve({ type: 'closed' }), 200)))
  }
})
// The benchmark went away: nothing here is worth finishing.
process.on('disconnect', () => process.exit(0))
