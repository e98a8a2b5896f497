/**
 * What an operator sees of a running tracker: `GET /metrics` (Prometheus text), `GET /stats`
 * (JSON) and the structured log, after real traffic from real clients and a raw socket sending
 * what a well-behaved client never would. Then the same from `shoal serve --log-level`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { randomHex } from '../../core/bytes.ts'
import { TrackerClient } from '../../core/client/tracker-client.ts'
import { isShoalError } from '../../core/errors.ts'
import { createLogger } from '../../signaling/logger.ts'
import type { LogLevel } from '../../signaling/logger.ts'
import { startTrackerServer } from '../../signaling/server.ts'
import type { TrackerServer, TrackerServerOptions } from '../../signaling/server.ts'
import type { TrackerStats } from '../../signaling/metrics.ts'
import { runCli } from '../support/cli.ts'
import { manifestFor, randomData } from '../support/data.ts'
import { trackerSockets } from '../support/tracker-sockets.ts'

const newSwarm = () => randomHex(32)
const newPeer = () => `peer-${randomHex(6)}`

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})
const { connect, rawSocket } = trackerSockets(cleanups)

interface LogLine {
  level: string
  msg: string
  [field: string]: unknown
}

/** A tracker whose log lines land in `logs`, parsed. */
async function startServer(options: TrackerServerOptions & { level?: LogLevel } = {}): Promise<{ server: TrackerServer; logs: LogLine[] }> {
  const logs: LogLine[] = []
  const logger = createLogger({ level: options.level ?? 'debug', destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) } })
  const handlerErrors: unknown[] = []
  const server = await startTrackerServer({ port: 0, logger, onError: (err) => handlerErrors.push(err), ...options })
  cleanups.push(async () => {
    await server.close()
    expect(handlerErrors).toEqual([])
  })
  return { server, logs }
}

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/** Parses the Prometheus text format strictly enough to fail on anything malformed. */
function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = []
  const typed = new Set<string>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice('# TYPE '.length).split(' ')
      expect(['counter', 'gauge', 'histogram', 'summary', 'untyped'], line).toContain(type)
      typed.add(name!)
      continue
    }
    if (line.startsWith('# HELP ')) continue
    const match = SAMPLE_LINE.exec(line)
    expect(match, `not a Prometheus sample: ${line}`).not.toBeNull()
    const [, name, labelText = '', value] = match!
    const labels = Object.fromEntries([...labelText.matchAll(LABEL)].map(([, key, val]) => [key!, val!]))
    // prom-client writes NaN as `Nan`; Prometheus reads it case-insensitively.
    const isNaN = /^nan$/i.test(value!)
    const number = isNaN ? Number.NaN : value === '+Inf' ? Infinity : Number(value)
    expect(Number.isNaN(number) && !isNaN, line).toBe(false)
    expect(typed.has(name!.replace(/_(bucket|sum|count)$/, '')) || typed.has(name!), `no # TYPE for ${name}`).toBe(true)
    samples.push({ name: name!, labels, value: number })
  }
  return samples
}

/** The value of the sample named `name` whose labels include `labels`; undefined if none. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value
}

async function scrape(server: TrackerServer): Promise<Sample[]> {
  const res = await fetch(`${server.url}/metrics`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4')
  return parsePrometheus(await res.text())
}

async function stats(server: TrackerServer): Promise<TrackerStats> {
  const res = await fetch(`${server.url}/stats`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('application/json')
  return (await res.json()) as TrackerStats
}

describe('GET /metrics and /stats', () => {
  it('count announces, relays, manifests and rejections by reason, and read the registries for the gauges', async () => {
    const { server, logs } = await startServer()
    const [swarm, other] = [newSwarm(), newSwarm()]
    const [a, b, c] = await Promise.all([connect(server), connect(server), connect(server)])
    const [idA, idB, idC] = [newPeer(), newPeer(), newPeer()]
    await a.announce({ swarm, peerId: idA, pieces: 0, complete: false })
    await b.announce({ swarm, peerId: idB, pieces: 0, complete: true })
    await c.announce({ swarm: other, peerId: idC, pieces: 0, complete: false })

    const received = new Promise((resolve) => b.onSignal(resolve))
    await a.signal(swarm, idB, { type: 'offer', sdp: 'x' })
    await received

    const { json, id } = await manifestFor(randomData(50_000), 16 * 1024)
    await a.publishManifest(json)
    await c.fetchManifest(id)
    const missing = await c.fetchManifest(randomHex(32)).catch((err: unknown) => err)
    expect(isShoalError(missing, 'NOT_FOUND')).toBe(true)

    const raw = await rawSocket(server)
    const refused = await raw.emitWithAck('announce', { swarm: 'not-a-swarm', peerId: 'x' })
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } })

    const samples = await scrape(server)
    expect(valueOf(samples, 'shoal_announces_total')).toBe(3)
    expect(valueOf(samples, 'shoal_relays_total')).toBe(1)
    expect(valueOf(samples, 'shoal_manifests_published_total')).toBe(1)
    expect(valueOf(samples, 'shoal_manifests_fetched_total')).toBe(1)
    expect(valueOf(samples, 'shoal_rejections_total', { event: 'announce', reason: 'BAD_INPUT' })).toBe(1)
    expect(valueOf(samples, 'shoal_rejections_total', { event: 'manifest:fetch', reason: 'NOT_FOUND' })).toBe(1)
    expect(samples.filter((s) => s.name === 'shoal_rejections_total')).toHaveLength(2)
    expect(valueOf(samples, 'shoal_swarms')).toBe(2)
    expect(valueOf(samples, 'shoal_peers')).toBe(3)
    expect(valueOf(samples, 'shoal_manifests')).toBe(1)
    expect(valueOf(samples, 'shoal_sockets')).toBe(4)
    expect(valueOf(samples, 'shoal_connections_total')).toBe(4)
    // Every event is timed, refused or not: three announces accepted and one refused.
    expect(valueOf(samples, 'shoal_event_duration_seconds_count', { event: 'announce' })).toBe(4)
    expect(valueOf(samples, 'shoal_event_duration_seconds_bucket', { event: 'announce', le: '+Inf' })).toBe(4)
    expect(valueOf(samples, 'shoal_event_duration_seconds_sum', { event: 'announce' })).toBeGreaterThan(0)
    expect(valueOf(samples, 'shoal_event_duration_seconds_count', { event: 'signal' })).toBe(1)
    // The process's own metrics come along.
    expect(valueOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0)
    expect(samples.some((s) => s.name.startsWith('nodejs_eventloop_lag'))).toBe(true)

    const summary = await stats(server)
    expect(summary).toEqual({
      uptimeSeconds: expect.any(Number),
      sockets: 4,
      swarms: 2,
      peers: 3,
      announces: 3,
      relays: 1,
      rejections: { BAD_INPUT: 1, NOT_FOUND: 1 },
      manifests: { stored: 1, published: 1, fetched: 1 },
    })

    // The refusal was logged with its reason and the connection it came from, not its payload.
    const warning = logs.find((l) => l.level === 'warn' && l.reason === 'BAD_INPUT')
    expect(warning).toMatchObject({ msg: 'refused', event: 'announce', socket: raw.id })
    expect(JSON.stringify(warning)).not.toContain('not-a-swarm')
    expect(logs.find((l) => l.level === 'warn' && l.reason === 'NOT_FOUND')).toMatchObject({ event: 'manifest:fetch' })
    expect(logs.filter((l) => l.msg === 'connected')).toHaveLength(4)
    expect(logs.find((l) => l.msg === 'listening')).toMatchObject({ level: 'info', url: server.url })

    // A peer that goes away leaves the gauges, and its disconnect is counted by reason.
    c.close()
    await vi.waitFor(async () => {
      const after = await scrape(server)
      expect(valueOf(after, 'shoal_peers')).toBe(2)
      expect(valueOf(after, 'shoal_swarms')).toBe(1)
      expect(valueOf(after, 'shoal_sockets')).toBe(3)
      expect(valueOf(after, 'shoal_disconnects_total', { reason: 'client namespace disconnect' })).toBe(1)
    })
    expect(logs.find((l) => l.msg === 'disconnected')).toMatchObject({ level: 'debug', reason: 'client namespace disconnect' })
  })

  it('counts every rate-limited event but logs only a few per connection', async () => {
    const { server, logs } = await startServer({ limits: { eventBurst: 1, eventsPerSecond: 0.001 } })
    const raw = await rawSocket(server)
    const swarm = newSwarm()
    for (let i = 0; i < 40; i++) await raw.emitWithAck('leave', { swarm })

    const samples = await scrape(server)
    expect(valueOf(samples, 'shoal_rejections_total', { event: 'leave', reason: 'RATE_LIMITED' })).toBe(39)
    const warnings = logs.filter((l) => l.level === 'warn' && l.reason === 'RATE_LIMITED')
    expect(warnings.length).toBeGreaterThan(0)
    expect(warnings.length).toBeLessThan(20)
    expect((await stats(server)).rejections).toEqual({ RATE_LIMITED: 39 })
  })

  it('answers HEAD, refuses other methods, and logs nothing below the chosen level', async () => {
    const { server, logs } = await startServer({ level: 'error' })
    const head = await fetch(`${server.url}/metrics`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    expect((await fetch(`${server.url}/stats`, { method: 'POST' })).status).toBe(405)
    const raw = await rawSocket(server)
    await raw.emitWithAck('signal', 'garbage')
    expect(logs).toEqual([])
  })
})

describe('shoal serve --log-level', () => {
  it('refuses an unknown level as BAD_INPUT', async () => {
    const run = runCli(['serve', '--port', '0', '--log-level', 'nonsense'])
    const error = await run.waitFor('error')
    expect(error).toMatchObject({ code: 'BAD_INPUT' })
    expect(error.message).toContain('--log-level')
    expect((await run.exit).code).toBe(1)
  })

  it('writes JSON log lines to stderr, leaving stdout to --json events', async () => {
    const run = runCli(['serve', '--port', '0', '--log-level', 'debug'])
    cleanups.push(() => {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGTERM')
    })
    const listening = await run.waitFor('listening')
    const client = await TrackerClient.connect(String(listening.url))
    client.close()
    // The tracker has to see the connection before it is told to stop.
    await vi.waitFor(async () => {
      const summary = (await (await fetch(`${String(listening.url)}/stats`)).json()) as TrackerStats
      expect(summary.sockets).toBe(0)
    })
    run.child.kill('SIGTERM')
    const { code, stderr } = await run.exit
    expect(code).toBe(0)
    const lines = stderr.trim().split('\n').map((line) => JSON.parse(line) as LogLine)
    expect(lines.map((l) => l.msg)).toEqual(['listening', 'connected', 'disconnected', 'stopped'])
    expect(lines[0]).toMatchObject({ level: 'info', url: listening.url })
    expect(lines[1]).toMatchObject({ level: 'debug', socket: expect.any(String) })
    expect(run.events.map((e) => e.event)).toEqual(['listening', 'stopped'])
  })
})
