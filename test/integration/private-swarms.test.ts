/**
 * A private tracker (`authSecret`): announce, manifest fetch and publish need a join token for
 * the swarm they name; a refusal never says whether the swarm or its manifest exists, and a
 * connection that was not admitted can neither see nor reach the swarm's peers.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { randomHex } from '../../core/bytes.ts'
import type { RelayedSignal, TrackerClient } from '../../core/client/tracker-client.ts'
import { isShoalError } from '../../core/errors.ts'
import { mintJoinToken } from '../../core/join-token.ts'
import { startTrackerServer } from '../../signaling/server.ts'
import type { TrackerServer } from '../../signaling/server.ts'
import { manifestFor, randomData } from '../support/data.ts'
import { expectCode } from '../support/tracker-expect.ts'
import { trackerSockets } from '../support/tracker-sockets.ts'

const SECRET = 'private-swarms-test-secret-0123456789'
const OTHER_SECRET = 'some-other-tracker-secret-9876543210'
const newSwarm = () => randomHex(32)
const newPeer = () => `peer-${randomHex(6)}`

const valid = async (swarm: string) => (await mintJoinToken({ secret: SECRET, swarm, ttlSeconds: 3600 })).token
/** The ways a token can fail to admit its holder to `swarm`, each with the reason the tracker names. */
async function badTokens(swarm: string): Promise<Array<{ name: string; token: string | undefined; reason: RegExp }>> {
  return [
    { name: 'missing', token: undefined, reason: /no join token was given/ },
    {
      name: 'expired',
      token: (await mintJoinToken({ secret: SECRET, swarm, ttlSeconds: 60, now: Date.now() - 3600_000 })).token,
      reason: /expired/,
    },
    { name: 'wrong swarm', token: await valid(newSwarm()), reason: /for another swarm/ },
    { name: 'wrong secret', token: (await mintJoinToken({ secret: OTHER_SECRET, swarm, ttlSeconds: 3600 })).token, reason: /not valid/ },
    { name: 'malformed', token: 'not.a.token', reason: /not valid/ },
  ]
}

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})
const { connect, rawSocket } = trackerSockets(cleanups)
const handlerErrors: unknown[] = []
afterAll(() => expect(handlerErrors).toEqual([]))

/** `null`: an open tracker. */
async function startServer(authSecret: string | null = SECRET): Promise<TrackerServer> {
  const server = await startTrackerServer({ port: 0, authSecret: authSecret ?? undefined, onError: (err) => handlerErrors.push(err) })
  cleanups.push(() => server.close())
  return server
}

function signalsOf(client: TrackerClient): RelayedSignal[] {
  const received: RelayedSignal[] = []
  client.onSignal((s) => received.push(s))
  return received
}

describe('private tracker setup', () => {
  it('refuses an auth secret shorter than 32 bytes before listening', async () => {
    for (const secret of ['', 'short', 'x'.repeat(31)]) {
      const err = await startTrackerServer({ port: 0, authSecret: secret }).then(
        async (server) => {
          await server.close()
          throw new Error('started')
        },
        (e: unknown) => e,
      )
      expect(isShoalError(err, 'BAD_INPUT'), String(err)).toBe(true)
      expect((err as Error).message).toContain('at least 32 bytes')
    }
  })

  it('an open tracker ignores tokens', async () => {
    const server = await startServer(null)
    const { json, id } = await manifestFor(randomData(5000), 16 * 1024)
    const client = await connect(server, { token: 'whatever' })
    expect(await client.publishManifest(json)).toBe(id)
    expect((await client.fetchManifest(id)).name).toBe('data.bin')
    expect(await client.announce({ swarm: id, peerId: newPeer(), pieces: 0, complete: true })).toEqual([])
  })
})

describe('announce on a private tracker', () => {
  it('admits only a valid token for the swarm; refused peers leave no trace', async () => {
    const server = await startServer()
    const swarm = newSwarm()
    const member = await connect(server, { token: await valid(swarm) })
    const memberId = newPeer()
    expect(await member.announce({ swarm, peerId: memberId, pieces: 3, complete: false })).toEqual([])

    for (const bad of await badTokens(swarm)) {
      const outsider = await connect(server, bad.token === undefined ? {} : { token: bad.token })
      const refusedId = newPeer()
      const err = await expectCode(outsider.announce({ swarm, peerId: refusedId, pieces: 0, complete: true }), 'NOT_ADMITTED')
      expect(err.message, bad.name).toMatch(bad.reason)
      expect(err.message).not.toContain(memberId)
      // Not in the swarm, and its peer id was not even bound to the connection.
      expect(await member.announce({ swarm, peerId: memberId, pieces: 3, complete: false })).toEqual([])
      const admitted = await connect(server, { token: await valid(swarm) })
      await admitted.announce({ swarm, peerId: refusedId, pieces: 0, complete: false })
      await admitted.leave(swarm)
    }

    // A valid token for the swarm: in, and sees the other peers.
    const other = await connect(server, { token: await valid(swarm) })
    expect(await other.announce({ swarm, peerId: newPeer(), pieces: 0, complete: false })).toEqual([
      { peerId: memberId, pieces: 3, complete: false },
    ])
  })

  it('remembers admission for the connection until it leaves the swarm', async () => {
    const server = await startServer()
    const swarm = newSwarm()
    const raw = await rawSocket(server)
    const peerId = newPeer()
    const body = { swarm, peerId, pieces: 0, complete: false }
    expect(await raw.emitWithAck('announce', { ...body, token: await valid(swarm) })).toMatchObject({ ok: true })
    // Re-announcing needs no token (the token may have expired since; the connection was admitted).
    expect(await raw.emitWithAck('announce', { ...body, pieces: 1 })).toMatchObject({ ok: true })
    // Admission is to that swarm only.
    expect(await raw.emitWithAck('announce', { ...body, swarm: newSwarm() })).toMatchObject({ ok: false, error: { code: 'NOT_ADMITTED' } })
    // After leaving, joining again needs a token again.
    expect(await raw.emitWithAck('leave', { swarm })).toMatchObject({ ok: true })
    expect(await raw.emitWithAck('announce', body)).toMatchObject({ ok: false, error: { code: 'NOT_ADMITTED' } })
  })

  it('asks a token function for each swarm', async () => {
    const server = await startServer()
    const asked: string[] = []
    const client = await connect(server, {
      token: (swarm) => {
        asked.push(swarm)
        return valid(swarm)
      },
    })
    const peerId = newPeer()
    const [s1, s2] = [newSwarm(), newSwarm()]
    await client.announce({ swarm: s1, peerId, pieces: 0, complete: false })
    await client.announce({ swarm: s2, peerId, pieces: 0, complete: false })
    expect(asked).toEqual([s1, s2])
  })
})

describe('signals on a private tracker', () => {
  it('a connection that was not admitted can reach no peer, and no peer reaches it', async () => {
    const server = await startServer()
    const swarm = newSwarm()
    const member = await connect(server, { token: await valid(swarm) })
    const memberId = newPeer()
    await member.announce({ swarm, peerId: memberId, pieces: 0, complete: false })
    const memberGot = signalsOf(member)

    // Admitted elsewhere, refused here; then tries to signal into the swarm anyway.
    const elsewhere = newSwarm()
    const intruder = await connect(server, { token: await valid(elsewhere) })
    const intruderId = newPeer()
    await intruder.announce({ swarm: elsewhere, peerId: intruderId, pieces: 0, complete: false })
    await expectCode(intruder.announce({ swarm, peerId: intruderId, pieces: 0, complete: false }), 'NOT_ADMITTED')
    const intruderGot = signalsOf(intruder)
    await expectCode(intruder.signal(swarm, memberId, { type: 'offer' }), 'NOT_ADMITTED')
    await expectCode(intruder.signal(elsewhere, memberId, { type: 'offer' }), 'NOT_FOUND')
    // Nor can a member reach the intruder through the member's swarm.
    await expectCode(member.signal(swarm, intruderId, { type: 'offer' }), 'NOT_FOUND')

    // A raw connection that never got in at all.
    const raw = await rawSocket(server)
    const rawId = newPeer()
    expect(await raw.emitWithAck('announce', { swarm, peerId: rawId, pieces: 0, complete: false })).toMatchObject({ ok: false })
    expect(await raw.emitWithAck('signal', { swarm, to: memberId, data: { type: 'offer' } })).toMatchObject({
      ok: false,
      error: { code: 'NOT_ADMITTED' },
    })

    // Relays arrive in order: once a legitimate signal gets through, nothing refused above did.
    const friend = await connect(server, { token: await valid(swarm) })
    const friendId = newPeer()
    await friend.announce({ swarm, peerId: friendId, pieces: 0, complete: false })
    await friend.signal(swarm, memberId, { hello: true })
    await expect.poll(() => memberGot.length).toBe(1)
    expect(memberGot).toEqual([{ swarm, from: friendId, data: { hello: true } }])
    expect(intruderGot).toEqual([])
  })
})

describe('manifests on a private tracker', () => {
  it('fetch: only a valid token for the id gets the manifest; refusals do not tell whether it exists', async () => {
    const server = await startServer()
    const { json, id } = await manifestFor(randomData(20_000), 16 * 1024, 'secret.bin')
    const unknownId = newSwarm()
    const publisher = await connect(server, { token: (swarm) => valid(swarm) })
    await publisher.publishManifest(json)

    for (const bad of await badTokens(id)) {
      const client = await connect(server, bad.token === undefined ? {} : { token: bad.token })
      const known = await expectCode(client.fetchManifest(id), 'NOT_ADMITTED')
      expect(known.message, bad.name).toMatch(bad.reason)
      expect(known.message).not.toContain('secret.bin')
      // The same bad token for an id the tracker has never seen: the same answer, word for word.
      const forUnknown = bad.name === 'wrong swarm' ? bad.token : (await badTokens(unknownId)).find((b) => b.name === bad.name)!.token
      const other = await connect(server, forUnknown === undefined ? {} : { token: forUnknown })
      const unknown = await expectCode(other.fetchManifest(unknownId), 'NOT_ADMITTED')
      expect(unknown.message).toBe(known.message)
    }

    const admitted = await connect(server, { token: await valid(id) })
    expect((await admitted.fetchManifest(id)).name).toBe('secret.bin')
    // Admitted to a swarm whose manifest was never published: only then is NOT_FOUND said.
    const early = await connect(server, { token: await valid(unknownId) })
    await expectCode(early.fetchManifest(unknownId), 'NOT_FOUND')
  })

  it('publish: needs a valid token for the manifest id; refused publishes store nothing', async () => {
    const server = await startServer()
    const { json, id } = await manifestFor(randomData(20_000), 16 * 1024, 'upload.bin')
    const reader = await connect(server, { token: await valid(id) })

    for (const bad of await badTokens(id)) {
      const client = await connect(server, bad.token === undefined ? {} : { token: bad.token })
      const err = await expectCode(client.publishManifest(json), 'NOT_ADMITTED')
      expect(err.message, bad.name).toMatch(bad.reason)
      await expectCode(reader.fetchManifest(id), 'NOT_FOUND')
    }
    // Not admitted comes before any look at the manifest: garbage gets the same refusal.
    const raw = await rawSocket(server)
    expect(await raw.emitWithAck('manifest:publish', { manifest: '{"not":"a manifest"}' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_ADMITTED' },
    })
    expect(await raw.emitWithAck('manifest:publish', { manifest: '{"not":"a manifest"}', token: await valid(id) })).toMatchObject({
      ok: false,
      error: { code: 'NOT_ADMITTED', message: expect.stringMatching(/another swarm/) },
    })

    const publisher = await connect(server, { token: await valid(id) })
    expect(await publisher.publishManifest(json)).toBe(id)
    expect((await reader.fetchManifest(id)).name).toBe('upload.bin')
  })

  it('takes an over-long token as bad input', async () => {
    const server = await startServer()
    const raw = await rawSocket(server)
    expect(await raw.emitWithAck('manifest:fetch', { id: newSwarm(), token: 'x'.repeat(5000) })).toMatchObject({
      ok: false,
      error: { code: 'BAD_INPUT' },
    })
  })
})
