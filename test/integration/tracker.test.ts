/**
 * The tracker against real clients: a real server on an ephemeral port, the real TrackerClient,
 * and raw Socket.IO sockets for what a well-behaved client would never send.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Server } from 'socket.io'
import type { Socket as ServerSocket } from 'socket.io'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { randomHex, utf8 } from '../../core/bytes.ts'
import { TrackerClient } from '../../core/client/tracker-client.ts'
import type { TrackerDisconnect } from '../../core/client/tracker-client.ts'
import { MANIFEST_VERSION, MAX_MANIFEST_BYTES, MAX_PIECE_SIZE, createManifest, encodeManifest, manifestId } from '../../core/manifest.ts'
import type { Manifest } from '../../core/manifest.ts'
import { startTrackerServer } from '../../signaling/server.ts'
import type { TrackerServer, TrackerServerOptions } from '../../signaling/server.ts'
import { expectCode, nextSignal } from '../support/tracker-expect.ts'
import { trackerSockets } from '../support/tracker-sockets.ts'

const newSwarm = () => randomHex(32)
const newPeer = () => `peer-${randomHex(6)}`

async function makeManifest(name = 'data.bin', size = 100_000): Promise<{ manifest: Manifest; json: string; id: string }> {
  const manifest = await createManifest({
    name,
    size,
    pieceSize: 16 * 1024,
    readPiece: async (_index, offset, length) => new Uint8Array(length).map((_, k) => (offset + k) % 251),
  })
  return { manifest, json: utf8.decode(encodeManifest(manifest)), id: await manifestId(manifest) }
}

// Everything a test opens is closed after it, whatever it asserted.
const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})
const { connect, rawSocket } = trackerSockets(cleanups)

async function startServer(options: TrackerServerOptions = {}): Promise<TrackerServer> {
  const server = await startTrackerServer({ port: 0, webRoot: emptyWebRoot, onError: (err) => handlerErrors.push(err), ...options })
  cleanups.push(() => server.close())
  return server
}

/** A stand-in tracker that answers however a test wants, e.g. dishonestly. */
async function startFakeTracker(onConnection: (socket: ServerSocket) => void): Promise<{ url: string }> {
  const http = createServer()
  const fake = new Server(http)
  fake.on('connection', onConnection)
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => fake.close())
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` }
}

let emptyWebRoot: string
let builtWebRoot: string
const INDEX_HTML = '<!doctype html><title>Shoal</title><script type="module" src="/assets/app-abc123.js"></script>'
// Handlers must never crash, whatever they are sent; any error reported by the server fails the run.
const handlerErrors: unknown[] = []

beforeAll(async () => {
  emptyWebRoot = await mkdtemp(join(tmpdir(), 'shoal-web-empty-'))
  builtWebRoot = await mkdtemp(join(tmpdir(), 'shoal-web-built-'))
  await writeFile(join(builtWebRoot, 'index.html'), INDEX_HTML)
  await mkdir(join(builtWebRoot, 'assets'))
  await writeFile(join(builtWebRoot, 'assets', 'app-abc123.js'), 'console.log("shoal")\n')
})

afterAll(async () => {
  await rm(emptyWebRoot, { recursive: true, force: true })
  await rm(builtWebRoot, { recursive: true, force: true })
  expect(handlerErrors).toEqual([])
})

describe('HTTP', () => {
  it('answers /healthz', async () => {
    const server = await startServer()
    const res = await fetch(`${server.url}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true })
  })

  it('answers 503 for the app and share links when the web app is not built, 404 for unknown paths', async () => {
    const server = await startServer({ webRoot: emptyWebRoot })
    for (const path of ['/', `/s/${randomHex(32)}`]) {
      const res = await fetch(server.url + path)
      expect(res.status, path).toBe(503)
      expect(await res.text()).toContain('web app not built: run npm run build:web')
    }
    expect((await fetch(`${server.url}/nope.js`)).status).toBe(404)
  })

  it('serves index.html for / and share links, static assets, and 404 for unknown paths', async () => {
    const server = await startServer({ webRoot: builtWebRoot })
    for (const path of ['/', `/s/${randomHex(32)}`]) {
      const res = await fetch(server.url + path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type')).toContain('text/html')
      expect(await res.text()).toBe(INDEX_HTML)
    }
    const asset = await fetch(`${server.url}/assets/app-abc123.js`)
    expect(asset.status).toBe(200)
    expect(await asset.text()).toBe('console.log("shoal")\n')
    expect((await fetch(`${server.url}/s/not-an-id`)).status).toBe(404)
    expect((await fetch(`${server.url}/missing.html`)).status).toBe(404)
  })
})

describe('announce', () => {
  it('returns the other peers in the swarm, never the asker', async () => {
    const server = await startServer()
    const swarm = newSwarm()
    const [a, b, c] = await Promise.all([connect(server), connect(server), connect(server)])
    const [idA, idB, idC] = [newPeer(), newPeer(), newPeer()]

    expect(await a.announce({ swarm, peerId: idA, pieces: 0, complete: false })).toEqual([])
    expect(await b.announce({ swarm, peerId: idB, pieces: 7, complete: true })).toEqual([
      { peerId: idA, pieces: 0, complete: false },
    ])
    const seen = await c.announce({ swarm, peerId: idC, pieces: 3, complete: false })
    expect(seen.map((p) => p.peerId).sort()).toEqual([idA, idB].sort())

    // A re-announce updates what the peer holds.
    await a.announce({ swarm, peerId: idA, pieces: 5, complete: false })
    expect(await c.announce({ swarm, peerId: idC, pieces: 3, complete: false })).toContainEqual({
      peerId: idA,
      pieces: 5,
      complete: false,
    })
    // Other swarms are separate.
    expect(await c.announce({ swarm: newSwarm(), peerId: idC, pieces: 0, complete: false })).toEqual([])
  })

  it('forgets a peer that leaves, and one whose connection closes', async () => {
    const server = await startServer()
    const swarm = newSwarm()
    const [a, b] = await Promise.all([connect(server), connect(server)])
    const [idA, idB] = [newPeer(), newPeer()]
    await a.announce({ swarm, peerId: idA, pieces: 0, complete: false })
    await b.announce({ swarm, peerId: idB, pieces: 0, complete: false })

    await b.leave(swarm)
    expect(await a.announce({ swarm, peerId: idA, pieces: 0, complete: false })).toEqual([])

    await b.announce({ swarm, peerId: idB, pieces: 0, complete: false })
    b.close()
    // The server sees the close on another connection than a's; poll until it has.
    await vi.waitFor(async () => {
      expect(await a.announce({ swarm, peerId: idA, pieces: 0, complete: false })).toEqual([])
    })
  })

  it('puts no one in a swarm whose connection left while its announce waited, and refuses such an announce as NOT_ADMITTED', async () => {
    const server = await startServer()
    const swarm = newSwarm()
    const raw = await rawSocket(server)
    // Announces and then a namespace disconnect ('1') in one write: the server reads them in one
    // go, so the announces run only after the connection has left the namespace. The transport
    // stays open, so their answers still arrive.
    const answers = Array.from({ length: 5 }, () => raw.timeout(5000).emitWithAck('announce', { swarm, peerId: newPeer(), pieces: 0, complete: false }))
    raw.io.engine.send('1')
    // One that the server ran before reading the disconnect may have joined (and is forgotten with
    // the connection); none may be told its tracker failed.
    for (const answer of await Promise.all(answers)) expect([true, 'NOT_ADMITTED']).toContain(answer.ok || answer.error.code)
    const watcher = await connect(server)
    expect(await watcher.announce({ swarm, peerId: newPeer(), pieces: 0, complete: false })).toEqual([])
  })

  it('binds a connection to the first peer id it announces', async () => {
    const server = await startServer()
    const client = await connect(server)
    const id = newPeer()
    await client.announce({ swarm: newSwarm(), peerId: id, pieces: 0, complete: false })
    const err = await expectCode(client.announce({ swarm: newSwarm(), peerId: newPeer(), pieces: 0, complete: false }), 'NOT_ADMITTED')
    expect(err.message).toContain(id)
    // The binding survives leaving every swarm.
    const other = newSwarm()
    await client.leave(other)
    await expectCode(client.announce({ swarm: other, peerId: newPeer(), pieces: 0, complete: false }), 'NOT_ADMITTED')
  })

  it('refuses a peer id that another live connection holds, unless it presents the same session key', async () => {
    const server = await startServer()
    const swarm = newSwarm()
    const id = newPeer()
    const owner = await connect(server)
    await owner.announce({ swarm, peerId: id, pieces: 0, complete: false })
    const impostor = await connect(server)
    await expectCode(impostor.announce({ swarm, peerId: id, pieces: 0, complete: false }), 'NOT_ADMITTED')

    // A client coming back on a new connection (same session key) takes its id over, and the
    // stale connection is dropped.
    const sessionKey = randomHex(16)
    const returning = newPeer()
    const stale = await rawSocket(server, { sessionKey })
    expect(await stale.emitWithAck('announce', { swarm, peerId: returning, pieces: 0, complete: false })).toMatchObject({ ok: true })
    const staleDropped = new Promise((resolve) => stale.once('disconnect', resolve))
    const fresh = await rawSocket(server, { sessionKey })
    expect(await fresh.emitWithAck('announce', { swarm, peerId: returning, pieces: 1, complete: false })).toMatchObject({ ok: true })
    await staleDropped
    const peers = await owner.announce({ swarm, peerId: id, pieces: 0, complete: false })
    expect(peers.filter((p) => p.peerId === returning)).toEqual([{ peerId: returning, pieces: 1, complete: false }])
  })

  it('caps the swarms one connection may be in', async () => {
    const server = await startServer({ limits: { maxSwarmsPerSocket: 2 } })
    const client = await connect(server)
    const peerId = newPeer()
    const [s1, s2, s3] = [newSwarm(), newSwarm(), newSwarm()]
    await client.announce({ swarm: s1, peerId, pieces: 0, complete: false })
    await client.announce({ swarm: s2, peerId, pieces: 0, complete: false })
    await expectCode(client.announce({ swarm: s3, peerId, pieces: 0, complete: false }), 'NOT_ADMITTED')
    // Re-announcing in a swarm already joined is an update, not a join.
    await client.announce({ swarm: s2, peerId, pieces: 1, complete: false })
    await client.leave(s1)
    await client.announce({ swarm: s3, peerId, pieces: 0, complete: false })
  })

  it('rate-limits a connection that sends too many events', async () => {
    const server = await startServer({ limits: { eventBurst: 3, eventsPerSecond: 0.001 } })
    const client = await connect(server)
    const swarm = newSwarm()
    for (let i = 0; i < 3; i++) await client.leave(swarm)
    await expectCode(client.leave(swarm), 'RATE_LIMITED')
  })
})

describe('signal', () => {
  it('relays a signal to a peer in the same swarm', async () => {
    const server = await startServer()
    const swarm = newSwarm()
    const [a, b] = await Promise.all([connect(server), connect(server)])
    const [idA, idB] = [newPeer(), newPeer()]
    await a.announce({ swarm, peerId: idA, pieces: 0, complete: false })
    await b.announce({ swarm, peerId: idB, pieces: 0, complete: false })

    const received = nextSignal(b)
    const offer = { type: 'offer', sdp: 'v=0\r\n...' }
    await a.signal(swarm, idB, offer)
    expect(await received).toEqual({ swarm, from: idA, data: offer })

    const answered = nextSignal(a)
    await b.signal(swarm, idA, { type: 'answer', sdp: 'v=0' })
    expect(await answered).toEqual({ swarm, from: idB, data: { type: 'answer', sdp: 'v=0' } })
  })

  it('refuses to relay to a peer that shares no swarm with the sender, and delivers nothing', async () => {
    const server = await startServer()
    const [mine, theirs, shared] = [newSwarm(), newSwarm(), newSwarm()]
    const [a, c] = await Promise.all([connect(server), connect(server)])
    const [idA, idC] = [newPeer(), newPeer()]
    await a.announce({ swarm: mine, peerId: idA, pieces: 0, complete: false })
    await c.announce({ swarm: theirs, peerId: idC, pieces: 0, complete: false })
    const received = nextSignal(c)

    // c is not in a's swarm, and a is not in c's.
    await expectCode(a.signal(mine, idC, { leaked: 1 }), 'NOT_FOUND')
    await expectCode(a.signal(theirs, idC, { leaked: 2 }), 'NOT_ADMITTED')
    // A peer that never announced may not signal at all.
    const stranger = await connect(server)
    await expectCode(stranger.signal(theirs, idC, { leaked: 3 }), 'NOT_ADMITTED')

    // Once they share a swarm a signal goes through, and it is the first c receives: relays
    // reach c in order, so nothing refused above was delivered.
    await a.announce({ swarm: shared, peerId: idA, pieces: 0, complete: false })
    await c.announce({ swarm: shared, peerId: idC, pieces: 0, complete: false })
    await a.signal(shared, idC, { allowed: true })
    expect(await received).toEqual({ swarm: shared, from: idA, data: { allowed: true } })
  })

  it('stops relaying to a peer once it has left the swarm', async () => {
    const server = await startServer()
    const swarm = newSwarm()
    const [a, b] = await Promise.all([connect(server), connect(server)])
    const [idA, idB] = [newPeer(), newPeer()]
    await a.announce({ swarm, peerId: idA, pieces: 0, complete: false })
    await b.announce({ swarm, peerId: idB, pieces: 0, complete: false })
    await b.leave(swarm)
    await expectCode(a.signal(swarm, idB, {}), 'NOT_FOUND')
    await expectCode(b.signal(swarm, idA, {}), 'NOT_ADMITTED')
  })
})

describe('room', () => {
  it('hands out peers that said they are full after those with room', async () => {
    const server = await startServer()
    const swarm = newSwarm()
    const [full, roomy, older, reporter, asker] = await Promise.all([connect(server), connect(server), connect(server), connect(server), connect(server)])
    const [idFull, idRoomy, idOlder, idReporter, idAsker] = [newPeer(), newPeer(), newPeer(), newPeer(), newPeer()]
    // Full from its announce, with room from its announce, saying nothing (an older client), full by a report.
    await full.announce({ swarm, peerId: idFull, pieces: 9, complete: true, full: true })
    await roomy.announce({ swarm, peerId: idRoomy, pieces: 0, complete: false, full: false })
    await older.announce({ swarm, peerId: idOlder, pieces: 0, complete: false })
    await reporter.announce({ swarm, peerId: idReporter, pieces: 0, complete: false })
    await reporter.room({ swarm, full: true })

    const handed = (await asker.announce({ swarm, peerId: idAsker, pieces: 0, complete: false })).map((p) => p.peerId)
    expect(handed.slice(0, 2).sort()).toEqual([idRoomy, idOlder].sort())
    expect(handed.slice(2).sort()).toEqual([idFull, idReporter].sort())

    // Room again, by a report or by the next announce.
    await reporter.room({ swarm, full: false })
    await full.announce({ swarm, peerId: idFull, pieces: 9, complete: true })
    await roomy.room({ swarm, full: true })
    const again = (await asker.announce({ swarm, peerId: idAsker, pieces: 0, complete: false })).map((p) => p.peerId)
    expect(again.at(-1)).toBe(idRoomy)
    expect(again.slice(0, 3).sort()).toEqual([idFull, idOlder, idReporter].sort())
  })

  it('is taken only for a swarm the connection announced in and is still in', async () => {
    const server = await startServer()
    const [swarm, other] = [newSwarm(), newSwarm()]
    const client = await connect(server)
    await expectCode(client.room({ swarm, full: true }), 'NOT_ADMITTED')
    const peerId = newPeer()
    await client.announce({ swarm, peerId, pieces: 0, complete: false })
    await client.room({ swarm, full: true })
    await expectCode(client.room({ swarm: other, full: true }), 'NOT_ADMITTED')
    await client.leave(swarm)
    await expectCode(client.room({ swarm, full: false }), 'NOT_ADMITTED')

    // A raw client is answered the same, and its report puts nobody in the swarm.
    const raw = await rawSocket(server)
    expect(await raw.timeout(5000).emitWithAck('room', { swarm: other, full: false })).toMatchObject({ ok: false, error: { code: 'NOT_ADMITTED' } })
    const asker = await connect(server)
    expect(await asker.announce({ swarm: other, peerId: newPeer(), pieces: 0, complete: false })).toEqual([])
  })

  it('counts against the rate limit like any other event', async () => {
    const server = await startServer({ limits: { eventBurst: 3, eventsPerSecond: 0.001 } })
    const client = await connect(server)
    const swarm = newSwarm()
    await client.announce({ swarm, peerId: newPeer(), pieces: 0, complete: false })
    await client.room({ swarm, full: true })
    await client.room({ swarm, full: false })
    await expectCode(client.room({ swarm, full: true }), 'RATE_LIMITED')
  })
})

describe('malformed input', () => {
  it('answers BAD_INPUT and keeps serving', async () => {
    const server = await startServer()
    const raw = await rawSocket(server)
    const swarm = newSwarm()
    const bad: Array<[string, ...unknown[]]> = [
      ['announce'],
      ['announce', 'hello'],
      ['announce', null],
      ['announce', { swarm: 'not-hex', peerId: newPeer(), pieces: 0, complete: false }],
      ['announce', { swarm, peerId: 'x', pieces: 0, complete: false }],
      ['announce', { swarm, peerId: newPeer(), pieces: -1, complete: false }],
      ['announce', { swarm, peerId: newPeer(), pieces: 0, complete: false, extra: true }],
      ['leave', { swarm: 42 }],
      ['announce', { swarm, peerId: newPeer(), pieces: 0, complete: false, full: 'yes' }],
      ['room', { swarm }],
      ['room', { swarm, full: 1 }],
      ['room', { swarm: 'not-hex', full: true }],
      ['room', { swarm, full: true, peerId: newPeer() }],
      ['signal', { swarm, to: newPeer() }],
      ['signal', { swarm, to: newPeer(), data: 'x'.repeat(20_000) }],
      ['manifest:publish', { manifest: 7 }],
      ['manifest:fetch', { id: 'ABC' }],
      ['manifest:fetch', [1, 2, 3]],
    ]
    for (const [event, ...args] of bad) {
      const answer = await raw.timeout(5000).emitWithAck(event, ...args)
      expect(answer, `${event} ${JSON.stringify(args).slice(0, 80)}`).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } })
      expect(typeof answer.error.message).toBe('string')
    }

    // Without an ack (or with something that is not a function in its place) nothing is
    // answered and nothing breaks.
    // (A valid announce without an ack is still applied: it binds the connection to peerId.)
    const peerId = newPeer()
    raw.emit('announce', { swarm: 'junk' })
    raw.emit('announce', { swarm, peerId, pieces: 0, complete: false }, 'not-a-function')
    raw.emit('unknown-event', { anything: true }, () => {})

    // The same connection, and everyone else, still get served.
    expect(await raw.timeout(5000).emitWithAck('announce', { swarm: newSwarm(), peerId, pieces: 0, complete: false })).toEqual({ ok: true, peers: [] })
    const client = await connect(server)
    expect(await client.announce({ swarm: newSwarm(), peerId: newPeer(), pieces: 0, complete: false })).toEqual([])
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
  })
})

describe('manifests', () => {
  it('publishes and fetches a manifest by the id the server computes', async () => {
    const server = await startServer()
    const { manifest, json, id } = await makeManifest()
    const publisher = await connect(server)
    expect(await publisher.publishManifest(json)).toBe(id)
    // Publishing again is harmless.
    expect(await publisher.publishManifest(json)).toBe(id)

    const fetcher = await connect(server)
    expect(await fetcher.fetchManifest(id)).toEqual(manifest)
  })

  it('carries a manifest near the size limit (a ~1 TiB file)', { timeout: 20_000 }, async () => {
    const server = await startServer()
    const client = await connect(server)
    const pieceSize = MAX_PIECE_SIZE
    // Built by hand: hashing a real terabyte is not the point here, the message size is.
    const pieces = Array.from({ length: 128 * 1024 }, () => randomHex(32))
    const manifest: Manifest = { version: MANIFEST_VERSION, name: 'huge.img', size: pieces.length * pieceSize, pieceSize, pieces }
    const json = utf8.decode(encodeManifest(manifest))
    expect(json.length).toBeGreaterThan(8 * 1024 * 1024)
    expect(json.length).toBeLessThanOrEqual(MAX_MANIFEST_BYTES)
    const id = await client.publishManifest(json)
    expect(id).toBe(await manifestId(manifest))
    expect(await client.fetchManifest(id)).toEqual(manifest)
  })

  it('rejects manifests that are not canonical or not valid', async () => {
    const server = await startServer()
    const client = await connect(server)
    const { manifest, json } = await makeManifest()
    const rejected = [
      JSON.stringify(manifest, null, 2),
      // Valid, but the keys are out of canonical order.
      JSON.stringify({ name: manifest.name, version: manifest.version, size: manifest.size, pieceSize: manifest.pieceSize, pieces: manifest.pieces }),
      json.replace('"version":1', '"version":2'),
      JSON.stringify({ version: 1, name: 'a/b', size: 1, pieceSize: 16384, pieces: [randomHex(32)] }),
      JSON.stringify({ version: 1, name: 'x', size: 100_000, pieceSize: 16384, pieces: [randomHex(32)] }),
      'not json',
      '',
    ]
    for (const text of rejected) {
      await expectCode(client.publishManifest(text), 'BAD_MANIFEST')
    }
  })

  it('answers NOT_FOUND for an unknown id and BAD_INPUT for something that is not an id', async () => {
    const server = await startServer()
    const client = await connect(server)
    await expectCode(client.fetchManifest(randomHex(32)), 'NOT_FOUND')
    await expectCode(client.fetchManifest('../etc/passwd'), 'BAD_INPUT')
  })

  it('evicts the least recently used manifest beyond the cap', async () => {
    const server = await startServer({ manifests: { maxCount: 2 } })
    const client = await connect(server)
    const [first, second, third] = await Promise.all([makeManifest('1.bin'), makeManifest('2.bin'), makeManifest('3.bin')])
    await client.publishManifest(first.json)
    await client.publishManifest(second.json)
    await client.fetchManifest(first.id) // now second is the least recently used
    await client.publishManifest(third.json)
    await expectCode(client.fetchManifest(second.id), 'NOT_FOUND')
    expect(await client.fetchManifest(first.id)).toEqual(first.manifest)
    expect(await client.fetchManifest(third.id)).toEqual(third.manifest)
  })
})

describe('client against a dishonest or broken tracker', () => {
  it('rejects a fetched manifest whose bytes do not match the id', async () => {
    const real = await makeManifest('real.bin')
    const tampered = await makeManifest('tampered.bin')
    const fake = await startFakeTracker((socket) => {
      socket.on('manifest:fetch', (_body, ack) => ack({ ok: true, manifest: tampered.json }))
    })
    const client = await connect(fake)
    const err = await expectCode(client.fetchManifest(real.id), 'MANIFEST_ID_MISMATCH')
    expect(err.message).toContain(real.id)
  })

  it('rejects a publish answered with the wrong id, maps unknown codes and malformed answers to TRACKER_ERROR', async () => {
    const { json } = await makeManifest()
    const fake = await startFakeTracker((socket) => {
      socket.on('manifest:publish', (_body, ack) => ack({ ok: true, id: randomHex(32) }))
      socket.on('leave', (_body, ack) => ack({ ok: false, error: { code: 'SOMETHING_NEW', message: 'nope' } }))
      socket.on('announce', (_body, ack) => ack({ ok: true, peers: [{ peerId: 'x' }] }))
      socket.on('signal', (_body, ack) => ack('garbage'))
    })
    const client = await connect(fake)
    await expectCode(client.publishManifest(json), 'MANIFEST_ID_MISMATCH')
    const err = await expectCode(client.leave(newSwarm()), 'TRACKER_ERROR')
    expect(err.message).toContain('nope')
    await expectCode(client.announce({ swarm: newSwarm(), peerId: newPeer(), pieces: 0, complete: false }), 'TRACKER_ERROR')
    await expectCode(client.signal(newSwarm(), newPeer(), {}), 'TRACKER_ERROR')
  })

  it('fails a request at once when the connection drops before the answer, and reports the drop', async () => {
    const fake = await startFakeTracker((socket) => {
      socket.on('leave', () => socket.disconnect(true))
    })
    const client = await connect(fake)
    const disconnected = new Promise<TrackerDisconnect>((resolve) => client.onDisconnect(resolve))
    await expectCode(client.leave(newSwarm()), 'TRACKER_UNREACHABLE')
    // Kicked by the server: Socket.IO does not retry by itself.
    expect(await disconnected).toEqual({ reason: 'io server disconnect', reconnecting: false })
  })

  it('times out a request the tracker never answers', async () => {
    const fake = await startFakeTracker(() => {})
    const client = await connect(fake, { requestTimeoutMs: 200 })
    await expectCode(client.leave(newSwarm()), 'TIMEOUT')
  })
})

describe('connection', () => {
  it('fails with TRACKER_UNREACHABLE naming the url when nothing listens', async () => {
    const server = await startTrackerServer({ port: 0, webRoot: emptyWebRoot })
    await server.close()
    const err = await expectCode(TrackerClient.connect(server.url, { timeoutMs: 300 }), 'TRACKER_UNREACHABLE')
    expect(err.message).toContain(server.url)
  })

  it('rejects a url that is not one', async () => {
    await expectCode(TrackerClient.connect('not a url'), 'BAD_INPUT')
  })

  it('refuses requests after close', async () => {
    const server = await startServer()
    const client = await TrackerClient.connect(server.url)
    client.close()
    await expectCode(client.leave(newSwarm()), 'ABORTED')
  })

  it('reports a lost connection and the reconnect that follows', { timeout: 20_000 }, async () => {
    const first = await startTrackerServer({ port: 0, webRoot: emptyWebRoot })
    const client = await connect(first)
    const disconnected = new Promise<TrackerDisconnect>((resolve) => client.onDisconnect(resolve))
    const reconnected = new Promise<void>((resolve) => client.onReconnect(resolve))
    await first.close()
    expect(await disconnected).toMatchObject({ reconnecting: true })
    expect(client.connected).toBe(false)

    // A tracker comes back on the same port; the client finds it by itself.
    await startServer({ port: first.port })
    await reconnected
    expect(client.connected).toBe(true)
    // The new tracker knows nothing of the client: it announces again, as callers do.
    expect(await client.announce({ swarm: newSwarm(), peerId: newPeer(), pieces: 0, complete: false })).toEqual([])
  })
})
