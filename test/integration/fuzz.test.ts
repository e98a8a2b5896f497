/**
 * The tracker under hostile input. A real `shoal serve` process (so its memory is its own to
 * measure) takes thousands of malformed, oversized and out-of-order events from raw Socket.IO
 * clients, while honest TrackerClients keep announcing, fetching a manifest and relaying
 * signals through it. Afterwards the service is up, no fuzzer left a trace in its swarms or peer
 * ids, and its memory is back near where it started.
 *
 * What the fuzzers send is built in test/support/fuzz-input.ts; this file says what may come back.
 * Every random choice comes from one seeded PRNG; the seed is printed, and
 * `SHOAL_FUZZ_SEED=<seed> npx vitest run test/integration/fuzz.test.ts` replays a run's choices
 * (not its timing: the order in which the server sees concurrent sockets still varies).
 */
import { readFile } from 'node:fs/promises'
import { io } from 'socket.io-client'
import type { Socket as RawSocket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomHex } from '../../core/bytes.ts'
import type { RelayedSignal, TrackerClient } from '../../core/client/tracker-client.ts'
import { MAX_MANIFEST_BYTES } from '../../core/manifest.ts'
import { TRACKER_ERROR_CODES } from '../../core/tracker-protocol.ts'
import type { PeerInfo } from '../../core/tracker-protocol.ts'
import { type CliRun, runCli } from '../support/cli.ts'
import { manifestFor, randomData } from '../support/data.ts'
import { Dice, type FuzzContext, KNOWN_EVENTS, type KnownEvent, brokenBody, junk, prng, rawPackets, validBody } from '../support/fuzz-input.ts'
import { trackerSockets } from '../support/tracker-sockets.ts'

const SEED = Number(process.env.SHOAL_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32)) >>> 0
const KiB = 1024
const MiB = 1024 * KiB
/** signaling/server.ts: the largest manifest plus 64 KiB of framing. A bigger message ends the connection. */
const MAX_MESSAGE_BYTES = MAX_MANIFEST_BYTES + 64 * KiB
/** signaling/handlers.ts DEFAULT_TRACKER_LIMITS: a connection may send this many events at once (then 200/s). */
const EVENT_BURST = 1000
const FUZZ_SOCKETS = 48
/** At once: enough to overlap everything, few enough that 2 shared cores keep up. */
const FUZZ_CONCURRENCY = 12
const EVENTS_PER_SOCKET = 120
const FLOOD_EVENTS = 3 * EVENT_BURST
const ACK_TIMEOUT_MS = 15_000
/** Each honest client sends at most 2 events per round: 40/s at most, a fifth of the tracker's 200/s. */
const HONEST_ROUND_MS = 50
/**
 * How far above its baseline the service's RSS may stay once fuzzing is over. Fuzzing makes the
 * service hold multi-MiB messages, several at once, so V8 grows its heap and gives the pages back
 * only lazily (its memory reducer runs after some idle seconds); a settled service was seen within
 * +30..60 MiB at once and below its baseline after ~25 s idle. What this guards against is
 * memory that is never freed: the fuzzers send hundreds of MiB of large payloads (at least
 * twice this slack, checked below) over thousands of events, so a service that kept those, or
 * kept anything per event, ends far above this bound.
 */
const RSS_SLACK = 64 * MiB
const RSS_SETTLE_DEADLINE_MS = 40_000
/** Codes a tracker may refuse with; TRACKER_ERROR is not among them: it means a handler crashed. */
const REFUSALS = TRACKER_ERROR_CODES.filter((c) => c !== 'TRACKER_ERROR')

interface Answer {
  ok: boolean
  error?: { code: string; message: string }
}

interface FuzzStats {
  sent: number
  /** Bytes of the large and oversized payloads, which a leak would keep. */
  payloadBytes: number
  answers: Map<string, number>
  /** Answers that broke an invariant, with what was sent. */
  violations: string[]
  disconnectedByServer: number
  /** Acks lost because the server dropped the connection first (after a raw packet it refused). */
  lostWithConnection: number
}

const newStats = (): FuzzStats => ({ sent: 0, payloadBytes: 0, answers: new Map(), violations: [], disconnectedByServer: 0, lostWithConnection: 0 })

function tally(stats: FuzzStats, key: string): void {
  stats.answers.set(key, (stats.answers.get(key) ?? 0) + 1)
}

/** Checks an ack against the codes this particular event may be answered with. */
function check(stats: FuzzStats, what: string, answer: unknown, allowed: readonly string[]): void {
  const a = answer as Answer
  const wellFormed =
    typeof a === 'object' &&
    a !== null &&
    (a.ok === true || (a.ok === false && REFUSALS.includes(a.error?.code as never) && typeof a.error?.message === 'string' && a.error.message.length <= 2000))
  const key = !wellFormed ? 'malformed or TRACKER_ERROR' : a.ok ? 'ok' : (a.error?.code ?? '?')
  tally(stats, key)
  if (!wellFormed || !allowed.includes(key)) stats.violations.push(`${what} -> ${JSON.stringify(answer).slice(0, 300)} (allowed: ${allowed.join(', ')})`)
}

/** A connected raw socket, or undefined when the server refused the handshake. */
function openRaw(url: string, auth?: object): Promise<RawSocket | undefined> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: auth as Record<string, unknown> })
  return new Promise((resolve) => {
    const refused = () => {
      socket.close()
      resolve(undefined)
    }
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', refused)
    // A handshake the server cannot parse (auth that is not a plain object) ends the connection
    // outright; the client then reports a disconnect, never a connect_error.
    socket.once('disconnect', refused)
  })
}

/** Resolves the ack, or undefined when the socket dropped or the time ran out. */
async function ask(socket: RawSocket, event: string, ...args: unknown[]): Promise<unknown> {
  try {
    return await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, ...args)
  } catch {
    return undefined
  }
}

/** One fuzz connection's script: EVENTS_PER_SOCKET random steps, most sent without waiting. */
async function fuzzSocket(url: string, d: Dice, ctx: FuzzContext, stats: FuzzStats): Promise<void> {
  const auth = d.pick<unknown>([undefined, { sessionKey: d.hex(32) }, { sessionKey: junk(d) }, junk(d), { sessionKey: 'x'.repeat(d.int(0, 64 * KiB)) }])
  const socket = await openRaw(url, typeof auth === 'object' && auth !== null ? auth : undefined)
  stats.sent++
  if (!socket) {
    tally(stats, 'handshake refused')
    // Socket.IO refuses an auth that is not a plain object; any object must be let in.
    if (!Array.isArray(auth) && !ArrayBuffer.isView(auth)) stats.violations.push(`handshake with auth ${JSON.stringify(auth)?.slice(0, 100)} refused`)
    return
  }
  let kicked = false
  socket.on('disconnect', (reason) => (kicked ||= reason !== 'io client disconnect'))
  const myId = d.peerId()
  const pending: Promise<void>[] = []
  const send = (what: string, event: string, args: unknown[], allowed: readonly string[]) => {
    stats.sent++
    pending.push(
      ask(socket, event, ...args).then((answer) => {
        if (answer !== undefined) return check(stats, what, answer, allowed)
        stats.lostWithConnection++
        if (socket.connected) stats.violations.push(`${what}: no answer within ${ACK_TIMEOUT_MS} ms on a live connection`)
      }),
    )
  }
  const withRate = (...codes: string[]) => [...codes, 'RATE_LIMITED']

  for (let i = 0; i < EVENTS_PER_SOCKET && socket.connected; i++) {
    const event = d.pick(KNOWN_EVENTS)
    switch (d.int(0, 11)) {
      case 0: {
        // Any event name, any arguments; sometimes a non-function where the ack goes.
        const name = d.chance(0.5) ? event : d.pick(['hello', 'ANNOUNCE', 'signal ', 'manifest:delete', '__proto__', 'constructor', 'toString', d.hex(8)])
        const args = Array.from({ length: d.int(0, 3) }, () => junk(d))
        if (d.chance(0.3)) args.push(d.pick(['not-a-function', 42, null, {}]))
        socket.emit(name, ...args)
        stats.sent++
        break
      }
      case 1:
      case 2:
        send(`${event}(broken)`, event, [brokenBody(d, validBody(d, event, ctx, myId))], event === 'manifest:publish' ? withRate('BAD_INPUT', 'BAD_MANIFEST') : withRate('BAD_INPUT'))
        break
      case 3: {
        // Valid shape, but out of order or not this socket's to do: each refused with its reason.
        const allowed: Record<KnownEvent, string[]> = {
          announce: withRate('ok', 'NOT_ADMITTED'),
          signal: withRate('ok', 'NOT_ADMITTED', 'NOT_FOUND'),
          leave: withRate('ok'),
          room: withRate('ok', 'NOT_ADMITTED'),
          'manifest:publish': withRate('BAD_MANIFEST'),
          'manifest:fetch': withRate('ok', 'NOT_FOUND'),
        }
        send(`${event}(valid)`, event, [validBody(d, event, ctx, myId)], allowed[event])
        break
      }
      case 4:
        // Someone else's peer id: never granted while its owner is connected.
        send('announce(honest id)', 'announce', [{ swarm: ctx.honestSwarm, peerId: d.pick(ctx.honestPeers), pieces: 1, complete: true }], withRate('NOT_ADMITTED'))
        break
      case 5:
        // Many swarms from one socket: past the cap, refused.
        for (let k = 0; k < 8; k++) send('announce(many swarms)', 'announce', [{ swarm: d.hex(64), peerId: myId, pieces: 0, complete: false }], withRate('ok', 'NOT_ADMITTED'))
        break
      case 6:
        // Large but under the message cap: refused, and the connection stays.
        if (d.chance(0.25)) {
          const big = d.chance(0.5) ? 'a'.repeat(d.int(1, 6) * MiB) : Array.from({ length: d.int(100_000, 400_000) }, () => 7)
          stats.payloadBytes += typeof big === 'string' ? big.length : big.length * 2
          const body = validBody(d, event, ctx, myId)
          const field = d.pick([...Object.keys(body), 'extra'])
          // Under 9 MiB, a manifest's text passes the schema and fails as a manifest.
          const manifestText = field === 'manifest' && typeof big === 'string'
          send(`${event}(large ${field})`, event, [{ ...body, [field]: big }], manifestText ? withRate('BAD_MANIFEST') : withRate('BAD_INPUT'))
        }
        break
      case 7:
        // Binary where JSON belongs.
        send(`${event}(binary)`, event, [new Uint8Array(d.int(0, 4096))], withRate('BAD_INPUT'))
        send(`${event}(binary field)`, event, [{ ...validBody(d, event, ctx, myId), swarm: new Uint8Array(64) }], withRate('BAD_INPUT'))
        break
      case 8:
        // Two bodies: the first counts, the extra argument is ignored.
        send(`${event}(extra args)`, event, [validBody(d, event, ctx, myId), junk(d)], withRate('ok', 'BAD_INPUT', 'NOT_ADMITTED', 'NOT_FOUND', 'BAD_MANIFEST'))
        break
      case 9:
        // No ack at all: nothing to answer, and nothing may break.
        socket.emit(event, d.chance(0.5) ? validBody(d, event, ctx, myId) : brokenBody(d, validBody(d, event, ctx, myId)))
        stats.sent++
        break
      case 10:
        if (d.chance(0.15)) {
          // Past the message cap: the server must drop the connection rather than take it in.
          const size = MAX_MESSAGE_BYTES + d.int(1, 2 * MiB)
          socket.emit(event, { blob: 'z'.repeat(size) })
          stats.sent++
          stats.payloadBytes += size
          await new Promise<void>((resolve) => (socket.connected ? socket.once('disconnect', () => resolve()) : resolve()))
          if (kicked) stats.disconnectedByServer++
          else stats.violations.push('an oversized message did not end the connection')
          break
        }
        send(`${event}(nested)`, event, [{ a: JSON.parse(`${'['.repeat(500)}${']'.repeat(500)}`) as unknown }], withRate('BAD_INPUT'))
        break
      default:
        if (d.chance(0.2)) {
          for (const packet of rawPackets(d, ctx).filter(() => d.chance(0.15))) {
            if (!socket.connected) break
            socket.io.engine.send(packet as string)
            stats.sent++
          }
        }
    }
    // Yield now and then, so the sockets interleave at the server.
    if (i % 16 === 0) await new Promise((resolve) => setImmediate(resolve))
  }
  await Promise.all(pending)
  socket.close()
}

/**
 * A socket sending far past its rate limit without waiting for answers: past the burst (plus
 * what refills meanwhile) it is refused RATE_LIMITED. Made-up event names spend tokens too.
 */
async function flood(url: string, ctx: FuzzContext, stats: FuzzStats, event: string, expected: string): Promise<void> {
  const socket = await openRaw(url)
  if (!socket) throw new Error('the tracker refused a plain connection')
  const answers = Array.from({ length: FLOOD_EVENTS }, (_, i) => {
    stats.sent++
    return ask(socket, event === 'leave' ? event : `${event}-${i % 50}`, { swarm: ctx.fuzzSwarms[0] })
  })
  const codes = (await Promise.all(answers)).map((a) => ((a as Answer | undefined)?.ok ? 'ok' : ((a as Answer | undefined)?.error?.code ?? 'no answer')))
  socket.close()
  const counts: Record<string, number> = {}
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1
  tally(stats, `flood of ${event}: ${JSON.stringify(counts)}`)
  const limited = counts.RATE_LIMITED ?? 0
  // At most 500 more get through than the burst: the flood arrives within a couple of seconds at 200/s.
  if (limited < FLOOD_EVENTS - EVENT_BURST - 500) stats.violations.push(`flood of ${event}: only ${limited} of ${FLOOD_EVENTS} refused RATE_LIMITED`)
  if (limited + (counts[expected] ?? 0) !== FLOOD_EVENTS) stats.violations.push(`flood of ${event}: answers ${JSON.stringify(counts)}`)
}

interface Honest {
  a: TrackerClient
  b: TrackerClient
  c: TrackerClient
  ids: { a: string; b: string; c: string }
  manifestJson: string
}

/** Honest peers doing their ordinary work, checking every answer, until told to stop. */
async function honestTraffic(honest: Honest, ctx: FuzzContext, until: () => boolean): Promise<{ rounds: number; slowestMs: number }> {
  const { a, b, c, ids } = honest
  let rounds = 0
  let slowestMs = 0
  const signalsToB: RelayedSignal[] = []
  const sent = new Set<string>()
  const offSignal = b.onSignal((s) => signalsToB.push(s))
  try {
    do {
      rounds++
      const started = performance.now()
      const handout = await a.announce({ swarm: ctx.honestSwarm, peerId: ids.a, pieces: rounds, complete: false })
      // Fuzzers may be in the swarm under their own ids; the honest peers are there as they announced.
      expect(handout).toContainEqual({ peerId: ids.b, pieces: 3, complete: false })
      expect(handout).toContainEqual({ peerId: ids.c, pieces: 10, complete: true })
      expect(handout.find((p) => p.peerId === ids.a)).toBeUndefined()
      await b.announce({ swarm: ctx.honestSwarm, peerId: ids.b, pieces: 3, complete: false })
      // fetchManifest checks the bytes against the id.
      await c.fetchManifest(ctx.manifestId)
      expect(await c.publishManifest(honest.manifestJson)).toBe(ctx.manifestId)
      const nonce = randomHex(8)
      sent.add(nonce)
      await a.signal(ctx.honestSwarm, ids.b, { type: 'offer', sdp: nonce })
      await waitUntil(() => signalsToB.some((s) => s.from === ids.a && (s.data as { sdp?: unknown }).sdp === nonce), 10_000, 'an honest signal relayed')
      slowestMs = Math.max(slowestMs, performance.now() - started)
      // Paced like a busy real peer (real ones announce every 10 s), well inside the rate limit.
      await new Promise((resolve) => setTimeout(resolve, HONEST_ROUND_MS))
    } while (!until())
    // Whatever b received as coming from a is what a sent: nobody spoofed a's id.
    for (const s of signalsToB.filter((s) => s.from === ids.a)) {
      expect(s.swarm).toBe(ctx.honestSwarm)
      expect(sent.has((s.data as { sdp?: string }).sdp ?? '')).toBe(true)
    }
  } finally {
    offSignal()
  }
  return { rounds, slowestMs }
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function rssBytes(pid: number): Promise<number> {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]
  if (kib === undefined) throw new Error(`no VmRSS for process ${pid}`)
  return Number(kib) * KiB
}

/** The lowest of a few readings: what the process holds, not a moment's spike. */
async function settledRss(pid: number, samples = 5, everyMs = 100): Promise<number> {
  let lowest = Number.POSITIVE_INFINITY
  for (let i = 0; i < samples; i++) {
    lowest = Math.min(lowest, await rssBytes(pid))
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
  return lowest
}

/** CPU time the process has used, from the scheduler (nanoseconds, whatever the clock tick). */
async function cpuMs(pid: number): Promise<number> {
  return Number((await readFile(`/proc/${pid}/schedstat`, 'utf8')).split(' ')[0]) / 1e6
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`

let server: CliRun
let url: string
let serverStderr = ''
// The honest clients; closed with the server, after the one test.
const cleanups: Array<() => unknown> = []
const { connect } = trackerSockets(cleanups)

beforeAll(async () => {
  console.log(`fuzz seed ${SEED} (replay with SHOAL_FUZZ_SEED=${SEED})`)
  server = runCli(['serve', '--port', '0'])
  server.child.stderr!.on('data', (chunk) => (serverStderr += chunk))
  url = String((await server.waitFor('listening')).url)
})

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  server?.child.kill('SIGTERM')
  await server?.exit
})

describe('tracker under fuzzing', () => {
  it('stays up, keeps serving honest peers, and forgets every fuzzer', { timeout: 120_000 }, async () => {
    const d = new Dice(prng(SEED))
    const pid = server.child.pid!
    const { id: manifestId, json: manifestJson } = await manifestFor(randomData(300 * KiB), 16 * KiB, 'honest.bin')
    const honest: Honest = {
      a: await connect({ url }),
      b: await connect({ url }),
      c: await connect({ url }),
      ids: { a: `honest-a-${randomHex(4)}`, b: `honest-b-${randomHex(4)}`, c: `honest-c-${randomHex(4)}` },
      manifestJson,
    }
    const { a, b, c, ids } = honest
    const ctx: FuzzContext = {
      honestSwarm: randomHex(32),
      honestPeers: [ids.a, ids.b, ids.c],
      manifestId,
      fuzzSwarms: Array.from({ length: 6 }, () => d.hex(64)),
    }
    await c.publishManifest(manifestJson)
    await c.announce({ swarm: ctx.honestSwarm, peerId: ids.c, pieces: 10, complete: true })
    await b.announce({ swarm: ctx.honestSwarm, peerId: ids.b, pieces: 3, complete: false })
    await a.announce({ swarm: ctx.honestSwarm, peerId: ids.a, pieces: 0, complete: false })

    // Warm every code path up a little (JIT, Socket.IO's buffers) before taking the baseline.
    await honestTraffic(honest, ctx, () => true)
    const warmup = newStats()
    await Promise.all(Array.from({ length: 4 }, () => fuzzSocket(url, new Dice(prng(d.int(0, 2 ** 31))), ctx, warmup)))
    expect(warmup.violations).toEqual([])
    const baseline = await settledRss(pid, 10)

    const stats = newStats()
    const started = Date.now()
    const cpuBefore = await cpuMs(pid)
    let fuzzing = true
    const honestRun = honestTraffic(honest, ctx, () => !fuzzing)
    // Awaited after the fuzzing; marked handled now so that an early failure is reported once.
    honestRun.catch(() => undefined)
    let peak = baseline
    const sampler = setInterval(() => void rssBytes(pid).then((rss) => (peak = Math.max(peak, rss)), () => undefined), 100)
    try {
      const queue = Array.from({ length: FUZZ_SOCKETS }, () => d.int(0, 2 ** 31))
      const worker = async () => {
        for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) await fuzzSocket(url, new Dice(prng(seed)), ctx, stats)
      }
      await Promise.all([
        flood(url, ctx, stats, 'leave', 'ok'),
        flood(url, ctx, stats, 'made-up', 'BAD_INPUT'),
        ...Array.from({ length: FUZZ_CONCURRENCY }, worker),
      ])
    } finally {
      fuzzing = false
      clearInterval(sampler)
    }
    const { rounds, slowestMs } = await honestRun
    const fuzzMs = Date.now() - started
    const serverCpuMs = (await cpuMs(pid)) - cpuBefore

    console.log(
      `fuzz: ${stats.sent} events (${mib(stats.payloadBytes)} of large payloads) from ${FUZZ_SOCKETS + 2} sockets in ${fuzzMs} ms,` +
        ` service CPU ${serverCpuMs.toFixed(0)} ms; answers ${JSON.stringify(Object.fromEntries(stats.answers))};` +
        ` ${stats.disconnectedByServer} connections dropped for oversized messages, ${stats.lostWithConnection} acks lost with dropped connections;` +
        ` ${rounds} honest rounds, slowest ${slowestMs.toFixed(0)} ms (this process's own fuzzing slows it too);` +
        ` RSS baseline ${mib(baseline)}, peak ${mib(peak)}`,
    )
    expect(stats.violations.slice(0, 20)).toEqual([])
    expect(stats.sent).toBeGreaterThan(5000)
    expect(stats.disconnectedByServer).toBeGreaterThan(0)
    expect(rounds).toBeGreaterThan(0)

    // The service is up and holds nothing of the fuzzers: only the three honest connections,
    // their peer ids and their one swarm. It notices closed sockets on its own time: poll.
    expect(server.child.exitCode).toBeNull()
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true })
    let lastStats: unknown
    await waitUntil(
      async () => {
        lastStats = await (await fetch(`${url}/stats`)).json()
        const s = lastStats as { sockets: number; peers: number; swarms: number }
        return s.sockets === 3 && s.peers === 3 && s.swarms === 1
      },
      10_000,
      'the service to count only the honest connections',
    ).catch((err: Error) => {
      throw new Error(`${err.message}; /stats says ${JSON.stringify(lastStats)}`)
    })
    const expected: PeerInfo[] = [
      { peerId: ids.c, pieces: 10, complete: true },
      { peerId: ids.b, pieces: 3, complete: false },
    ]
    const handout = await a.announce({ swarm: ctx.honestSwarm, peerId: ids.a, pieces: 0, complete: false })
    expect(handout).toEqual(expect.arrayContaining(expected))
    expect(handout).toHaveLength(expected.length)
    const probe = await connect({ url })
    const probeId = `probe-${randomHex(6)}`
    for (const swarm of ctx.fuzzSwarms) expect(await probe.announce({ swarm, peerId: probeId, pieces: 0, complete: false })).toEqual([])
    await c.fetchManifest(manifestId)

    // Memory comes back near the baseline (see RSS_SLACK for the bound's rationale).
    expect(stats.payloadBytes).toBeGreaterThan(2 * RSS_SLACK)
    const bound = baseline + RSS_SLACK
    let settled = Number.POSITIVE_INFINITY
    const settleStarted = Date.now()
    await waitUntil(async () => (settled = await settledRss(pid)) <= bound, RSS_SETTLE_DEADLINE_MS, `RSS back under ${mib(bound)}`).catch((err: Error) => {
      throw new Error(`${err.message}: it is ${mib(settled)}, from a baseline of ${mib(baseline)} and a peak of ${mib(peak)}`)
    })
    console.log(`fuzz: RSS settled at ${mib(settled)} after ${Date.now() - settleStarted} ms (bound ${mib(bound)})`)

    // No handler ever crashed: the service logs that as an error line.
    expect(serverStderr.split('\n').filter((line) => /"level":"(error|fatal)"|\[tracker\].*failed/.test(line))).toEqual([])
  })
})
