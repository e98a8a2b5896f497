/**
 * Traffic reports (`stats`) and the dashboard feed against a real tracker on an ephemeral port,
 * with raw Socket.IO clients: who may report, how often, and what the `/dashboard` namespace
 * pushes (and refuses on a private tracker).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Socket } from 'socket.io-client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { randomHex } from '../../core/bytes.ts'
import type { DashboardSnapshot, StatsReport } from '../../core/tracker-protocol.ts'
import { DASHBOARD_DISABLED_MESSAGE } from '../../signaling/dashboard.ts'
import { startTrackerServer } from '../../signaling/server.ts'
import type { TrackerServer, TrackerServerOptions } from '../../signaling/server.ts'
import { trackerSockets } from '../support/tracker-sockets.ts'

let webRoot: string
beforeAll(async () => {
  webRoot = await mkdtemp(join(tmpdir(), 'shoal-dashboard-'))
  await mkdir(join(webRoot, 'dashboard'))
  await writeFile(join(webRoot, 'index.html'), '<title>app</title>')
  await writeFile(join(webRoot, 'dashboard', 'index.html'), '<title>dashboard</title>')
})
afterAll(async () => {
  await rm(webRoot, { recursive: true, force: true })
})
const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})
const { rawSocket, openSocket } = trackerSockets(cleanups)

async function startServer(options: TrackerServerOptions = {}): Promise<TrackerServer> {
  const server = await startTrackerServer({ port: 0, webRoot, ...options })
  cleanups.push(() => server.close())
  return server
}

type Answer = { ok: boolean; error?: { code: string; message: string } }
const send = (socket: Socket, event: string, body: unknown): Promise<Answer> => socket.timeout(5000).emitWithAck(event, body)

const SIZE = 1_000_000
function report(swarm: string, fields: Partial<StatsReport> = {}): StatsReport {
  return { swarm, verifiedBytes: 0, size: SIZE, complete: false, uploaded: 0, downloaded: 0, uploadRate: 0, downloadRate: 0, neighbours: [], ...fields }
}

async function announce(socket: Socket, swarm: string, peerId: string, complete = false): Promise<void> {
  expect(await send(socket, 'announce', { swarm, peerId, pieces: 0, complete })).toMatchObject({ ok: true })
}

describe('stats', () => {
  it('is taken only for a swarm the connection announced in, at most once per swarm every 1.5 s', async () => {
    const server = await startServer()
    const swarm = randomHex(32)
    const socket = await rawSocket(server)
    expect(await send(socket, 'stats', report(swarm))).toMatchObject({ ok: false, error: { code: 'NOT_ADMITTED' } })
    await announce(socket, swarm, 'peer-aaaaaaaa')
    expect(await send(socket, 'stats', report(swarm))).toEqual({ ok: true })
    expect(await send(socket, 'stats', report(swarm))).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } })
    // The cap is per swarm: another swarm of the same connection reports on its own schedule.
    const other = randomHex(32)
    await announce(socket, other, 'peer-aaaaaaaa')
    expect(await send(socket, 'stats', report(other))).toEqual({ ok: true })
  })

  it('refuses a malformed report and one with too many neighbours as BAD_INPUT', async () => {
    const server = await startServer()
    const swarm = randomHex(32)
    const socket = await rawSocket(server)
    await announce(socket, swarm, 'peer-bbbbbbbb')
    const neighbours = Array.from({ length: 25 }, (_, i) => ({ peerId: `peer-${String(i).padStart(8, '0')}`, up: 1, down: 1 }))
    expect(await send(socket, 'stats', report(swarm, { neighbours }))).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } })
    expect(await send(socket, 'stats', { ...report(swarm), uploadRate: -1 })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } })
    expect(await send(socket, 'stats', { ...report(swarm), extra: 1 })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } })
  })
})

describe('/dashboard', () => {
  it('serves the dashboard page at /dashboard and /dashboard/', async () => {
    const server = await startServer()
    for (const path of ['/dashboard', '/dashboard/']) {
      const response = await fetch(`${server.url}${path}`)
      expect(response.status).toBe(200)
      expect(await response.text()).toBe('<title>dashboard</title>')
    }
  })

  it('pushes the swarm with its peers, flows and offload, and drops a peer that leaves', async () => {
    const server = await startServer()
    const swarm = randomHex(32)
    const origin = await rawSocket(server)
    const leecher = await rawSocket(server)
    await announce(origin, swarm, 'origin-11111111', true)
    await announce(leecher, swarm, 'leecher-22222222')
    await send(origin, 'stats', report(swarm, { verifiedBytes: SIZE, complete: true, uploaded: 600_000, uploadRate: 300_000, neighbours: [{ peerId: 'leecher-22222222', up: 300_000, down: 0 }] }))
    await send(leecher, 'stats', report(swarm, { verifiedBytes: 600_000, downloaded: 600_000, uploaded: 200_000, downloadRate: 290_000, neighbours: [{ peerId: 'origin-11111111', up: 0, down: 290_000 }] }))

    const dashboard = openSocket(`${server.url}/dashboard`)
    const snapshot = await new Promise<DashboardSnapshot>((resolve) => dashboard.once('snapshot', resolve))
    expect(snapshot.swarms).toHaveLength(1)
    const [shown] = snapshot.swarms
    expect(shown!.id).toBe(swarm.slice(0, 12))
    expect(shown!.peers.map((p) => p.id).sort()).toEqual(['leecher-', 'origin-1'])
    expect(shown!.peers.find((p) => p.id === 'origin-1')).toMatchObject({ origin: true, complete: true, completion: 1 })
    expect(shown!.peers.find((p) => p.id === 'leecher-')).toMatchObject({ origin: false, completion: 0.6 })
    // Both ends describe the same flow; the larger measurement counts, once.
    expect(shown!.edges).toEqual([{ from: 'origin-1', to: 'leecher-', rate: 300_000 }])
    expect(shown!.offload).toBeCloseTo(200_000 / 800_000)

    await send(leecher, 'leave', { swarm })
    const after = await new Promise<DashboardSnapshot>((resolve) => dashboard.once('snapshot', resolve))
    expect(after.swarms[0]!.peers.map((p) => p.id)).toEqual(['origin-1'])
    expect(after.swarms[0]!.edges).toEqual([])
    origin.disconnect()
    await expect.poll(async () => (await new Promise<DashboardSnapshot>((resolve) => dashboard.once('snapshot', resolve))).swarms).toEqual([])
  })

  it('is refused on a private tracker', async () => {
    const server = await startServer({ authSecret: randomHex(32) })
    const dashboard = openSocket(`${server.url}/dashboard`)
    const err = await new Promise<Error>((resolve) => dashboard.once('connect_error', resolve))
    expect(err.message).toBe(DASHBOARD_DISABLED_MESSAGE)
  })
})
