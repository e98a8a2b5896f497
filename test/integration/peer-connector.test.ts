/**
 * The connector's refusal over the real tracker and real WebRTC (@roamhq/wrtc): a callee with no
 * room says so, and the caller frees its slot at once and dials the next peer it was handed; a
 * refusal never ends a live connection; an offer the tracker cannot deliver frees its slot at once;
 * a dial that opens or a connection that closes hands its slot to the next peer of the handout;
 * a peer turned away by everyone it was handed announces again soon; own dials stop at the dial
 * target while offers are accepted up to the cap; the tracker is told when a peer fills up and when
 * it has room again, one report at a time.
 * Connect timeouts and announce intervals are far longer than the test timeout, so only the
 * behaviour under test can make these pass.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { MemoryChunkStore } from '../../core/chunk-store.ts'
import { PeerConnector, type PeerConnectorOptions, REFUSE_SIGNAL, type SignalingChannel } from '../../core/client/peer-connector.ts'
import { TrackerClient } from '../../core/client/tracker-client.ts'
import type { Manifest } from '../../core/manifest.ts'
import { Swarm } from '../../core/swarm.ts'
import type { PeerInfo } from '../../core/tracker-protocol.ts'
import { type TrackerServer, startTrackerServer } from '../../signaling/server.ts'
import { loadWrtc } from '../../worker/wrtc.ts'
import { manifestFor, randomData } from '../support/data.ts'
import { filledStore } from '../support/stores.ts'

const PIECE = 64 * 1024
const NEVER_MS = 600_000

let server: TrackerServer
let cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  server = await startTrackerServer({ port: 0 })
})

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  cleanups = []
})

afterAll(async () => {
  await server?.close()
})

interface TestPeer {
  client: TrackerClient
  swarm: Swarm
  connector: PeerConnector
}

/**
 * A peer whose listeners are attached by `before` ahead of its first announce, so no event is
 * missed; it never dials again on a timer and never gives up on a connection within a test.
 */
async function peer(
  manifest: Manifest,
  swarmId: string,
  peerId: string,
  store: MemoryChunkStore,
  options: Partial<PeerConnectorOptions> = {},
  before: (p: TestPeer) => void = () => {},
  signalingOf: (client: TrackerClient) => SignalingChannel = (client) => client,
): Promise<TestPeer> {
  const client = await TrackerClient.connect(server.url)
  const swarm = new Swarm({ swarmId, manifest, store, peerId })
  const connector = new PeerConnector({
    connectTimeoutMs: NEVER_MS,
    announceIntervalMs: NEVER_MS,
    ...options,
    signaling: signalingOf(client),
    swarm,
    swarmId,
    peerId,
    wrtc: loadWrtc(),
  })
  const p = { client, swarm, connector }
  cleanups.push(async () => {
    await Promise.all([connector.stop(), swarm.destroy()])
    client.close()
  })
  before(p)
  await connector.start()
  return p
}

/** The tracker client, with each handout passed through `edit`: to fix its order, or add a peer that left. */
function editingHandouts(edit: (peers: PeerInfo[]) => PeerInfo[]): (client: TrackerClient) => SignalingChannel {
  return (client) => ({
    announce: async (body) => edit(await client.announce(body)),
    leave: (swarm) => client.leave(swarm),
    room: (body) => client.room(body),
    signal: (swarm, to, data) => client.signal(swarm, to, data),
    onSignal: (listener) => client.onSignal(listener),
    onReconnect: (listener) => client.onReconnect(listener),
  })
}

const once = <T>(subscribe: (resolve: (value: T) => void) => void) => new Promise<T>(subscribe)

describe('PeerConnector: refused and undeliverable offers', () => {
  it('a callee at its cap refuses an offer and the caller drops the attempt without waiting for the connect timeout', async () => {
    // Nobody holds data, so nothing completes and announces again: the dials are only the ones below.
    const { manifest, id } = await manifestFor(randomData(4 * PIECE), PIECE, 'refuse.bin')
    const empty = () => new MemoryChunkStore(manifest.pieces.length)
    const other = await peer(manifest, id, 'other-0000', empty())
    // The callee may hold one connection, and spends it on the other peer.
    let calleeReady!: Promise<string>
    const callee = await peer(manifest, id, 'callee-0000', empty(), { maxPeers: 1 }, (p) => {
      calleeReady = once((resolve) => p.swarm.once('peer-ready', resolve))
    })
    expect(await calleeReady).toBe('other-0000')

    // The caller is handed both and dials both: the other peer has room, the callee has none.
    let refused!: Promise<string>
    let callerReady!: Promise<string>
    const caller = await peer(manifest, id, 'caller-0000', empty(), {}, (p) => {
      refused = once((resolve) => p.connector.once('refused', resolve))
      callerReady = once((resolve) => p.swarm.once('peer-ready', resolve))
    })
    expect(await refused).toBe('callee-0000')
    expect(await callerReady).toBe('other-0000')
    expect(caller.connector.connecting).toBe(0)
    expect(callee.connector.connecting).toBe(0)
    expect(callee.swarm.peerStats().map((p) => p.peerId)).toEqual(['other-0000'])
    expect(other.connector.connecting).toBe(0)
  })

  it('a refused caller spends the freed slot on the next peer it was handed, not at its next announce', async () => {
    const { manifest, id } = await manifestFor(randomData(4 * PIECE), PIECE, 'refuse-next.bin')
    const empty = () => new MemoryChunkStore(manifest.pieces.length)
    await peer(manifest, id, 'other-2222', empty())
    let calleeReady!: Promise<string>
    await peer(manifest, id, 'callee-2222', empty(), { maxPeers: 1 }, (p) => {
      calleeReady = once((resolve) => p.swarm.once('peer-ready', resolve))
    })
    expect(await calleeReady).toBe('other-2222')

    // One dial at a time, and the full callee first: the other peer is only dialled if the
    // refusal hands its slot on (nobody announces again, and the other peer never dials).
    let refused!: Promise<string>
    let callerReady!: Promise<string>
    const caller = await peer(
      manifest,
      id,
      'caller-2222',
      empty(),
      { maxConnecting: 1 },
      (p) => {
        refused = once((resolve) => p.connector.once('refused', resolve))
        callerReady = once((resolve) => p.swarm.once('peer-ready', resolve))
      },
      editingHandouts((peers) => peers.sort((a, b) => Number(b.peerId === 'callee-2222') - Number(a.peerId === 'callee-2222'))),
    )
    expect(await refused).toBe('callee-2222')
    expect(await callerReady).toBe('other-2222')
    expect(caller.connector.connecting).toBe(0)
  })

  it('an offer to a peer that left is dropped as soon as the tracker says so', async () => {
    const { manifest, id } = await manifestFor(randomData(4 * PIECE), PIECE, 'ghost.bin')
    let warned!: Promise<string>
    const caller = await peer(
      manifest,
      id,
      'caller-3333',
      new MemoryChunkStore(manifest.pieces.length),
      {},
      (p) => {
        warned = once((resolve) => p.connector.once('warning', (err) => resolve(err.code)))
      },
      // A peer that was never in the swarm stands for one that left after the handout.
      editingHandouts((peers) => [{ peerId: 'ghost-3333', pieces: 0, complete: false }, ...peers]),
    )
    expect(await warned).toBe('NOT_FOUND')
    expect(caller.connector.connecting).toBe(0)
  })

  it('a refusal from a peer already connected does not drop the connection', async () => {
    const data = randomData(4 * PIECE)
    const { manifest, id } = await manifestFor(data, PIECE, 'refuse-live.bin')
    // The seeder serves nothing until the refusal has been handled, so the download needs the
    // very connection the refusal would have ended.
    let openGate!: () => void
    const gate = new Promise<void>((resolve) => (openGate = resolve))
    class GatedStore extends MemoryChunkStore {
      override async read(piece: number, offset: number, length: number): Promise<Uint8Array> {
        await gate
        return super.read(piece, offset, length)
      }
    }
    const seeder = await peer(manifest, id, 'seeder-1111', await filledStore(GatedStore, data, PIECE))
    let ready!: Promise<string>
    let closed!: Promise<string>
    const refusals: string[] = []
    const leecher = await peer(manifest, id, 'leecher-1111', new MemoryChunkStore(manifest.pieces.length), {}, (p) => {
      ready = once((resolve) => p.swarm.once('peer-ready', resolve))
      closed = once((resolve) => p.swarm.once('peer-closed', (peerId) => resolve(String(peerId))))
      p.connector.on('refused', (peerId) => refusals.push(peerId))
    })
    expect(await ready).toBe('seeder-1111')

    // The connector subscribed to the leecher's signals first, so once the test's own listener
    // sees the refusal, the connector has already handled it.
    const delivered = once<unknown>((resolve) => {
      const off = leecher.client.onSignal((message) => {
        if (message.from !== 'seeder-1111' || (message.data as { type?: unknown }).type !== REFUSE_SIGNAL.type) return
        off()
        resolve(message.data)
      })
    })
    await seeder.client.signal(id, 'leecher-1111', REFUSE_SIGNAL)
    expect(await delivered).toEqual(REFUSE_SIGNAL)
    openGate()

    const complete = once<string>((resolve) => leecher.swarm.once('complete', () => resolve('complete')))
    expect(await Promise.race([complete, closed.then((peerId) => `closed ${peerId}`)])).toBe('complete')
    expect(refusals).toEqual([])
    expect(leecher.connector.connecting).toBe(0)
  })
})

describe('PeerConnector: freed slots', () => {
  /** Resolves when `p` has opened connections to exactly `ids`, in any order. */
  const readyWith = (p: TestPeer, ids: string[]) =>
    once<string[]>((resolve) => {
      const seen: string[] = []
      p.swarm.on('peer-ready', (peerId) => {
        seen.push(String(peerId))
        if (seen.length === ids.length) resolve(seen.sort())
      })
    })

  it('a newcomer dials the rest of its handout as its dials open, not at its next announce', async () => {
    const { manifest, id } = await manifestFor(randomData(4 * PIECE), PIECE, 'next-on-open.bin')
    const empty = () => new MemoryChunkStore(manifest.pieces.length)
    const others = ['other-a-4444', 'other-b-4444', 'other-c-4444']
    for (const other of others) await peer(manifest, id, other, empty(), { maxPeers: 1 }, () => {}, editingHandouts(() => []))
    // One dial at a time; the others never dial (each is handed nobody) and nobody announces again.
    let ready!: Promise<string[]>
    const newcomer = await peer(manifest, id, 'newcomer-4444', empty(), { maxConnecting: 1 }, (p) => (ready = readyWith(p, others)))
    expect(await ready).toEqual(others)
    expect(newcomer.connector.connecting).toBe(0)
  })

  it('a connection that closes hands its slot to the next peer of the handout', async () => {
    const { manifest, id } = await manifestFor(randomData(4 * PIECE), PIECE, 'next-on-close.bin')
    const empty = () => new MemoryChunkStore(manifest.pieces.length)
    const first = await peer(manifest, id, 'first-5555', empty(), {}, () => {}, editingHandouts(() => []))
    await peer(manifest, id, 'second-5555', empty(), {}, () => {}, editingHandouts(() => []))
    // Room for one connection, spent on the first peer (the handout is put in that order).
    let firstReady!: Promise<string>
    let secondReady!: Promise<string>
    await peer(
      manifest,
      id,
      'caller-5555',
      empty(),
      { maxPeers: 1 },
      (p) => {
        firstReady = once((resolve) => p.swarm.once('peer-ready', resolve))
        secondReady = firstReady.then(() => once((resolve) => p.swarm.once('peer-ready', resolve)))
      },
      editingHandouts((peers) => peers.sort((a, b) => a.peerId.localeCompare(b.peerId))),
    )
    expect(await firstReady).toBe('first-5555')
    await Promise.all([first.connector.stop(), first.swarm.destroy()])
    expect(await secondReady).toBe('second-5555')
  })
})

describe('PeerConnector: finding peers in a full swarm', () => {
  it('announces again within NEED_PEERS_ANNOUNCE_MS when every peer it was handed turned it away, and finds one that joined since', async () => {
    const { manifest, id } = await manifestFor(randomData(4 * PIECE), PIECE, 'starved.bin')
    const empty = () => new MemoryChunkStore(manifest.pieces.length)
    // Two peers with room for one connection each, spent on each other.
    let full!: Promise<string>
    await peer(manifest, id, 'full-a-6666', empty(), { maxPeers: 1 }, (p) => (full = once((resolve) => p.swarm.once('peer-ready', resolve))), editingHandouts(() => []))
    await peer(manifest, id, 'full-b-6666', empty(), { maxPeers: 1 })
    expect(await full).toBe('full-b-6666')

    let refusals = 0
    let ready!: Promise<string>
    const announced: number[] = []
    await peer(manifest, id, 'starved-6666', empty(), {}, (p) => {
      p.connector.on('refused', () => refusals++)
      p.connector.on('announced', () => announced.push(performance.now()))
      ready = once((resolve) => p.swarm.once('peer-ready', resolve))
    })
    // Turned away by both; a peer with room arrives (handed nobody, it never dials).
    await vi.waitFor(() => expect(refusals).toBe(2))
    await peer(manifest, id, 'newcomer-6666', empty(), {}, () => {}, editingHandouts(() => []))
    expect(await ready).toBe('newcomer-6666')
    expect(announced.length).toBeGreaterThanOrEqual(2)
  })

  it('dials up to dialTarget connections and still accepts offers beyond it, up to maxPeers', async () => {
    const { manifest, id } = await manifestFor(randomData(4 * PIECE), PIECE, 'dial-target.bin')
    const empty = () => new MemoryChunkStore(manifest.pieces.length)
    for (const other of ['one-7777', 'two-7777']) await peer(manifest, id, other, empty(), {}, () => {}, editingHandouts(() => []))
    let first!: Promise<string>
    const host = await peer(manifest, id, 'host-7777', empty(), { dialTarget: 1 }, (p) => (first = once((resolve) => p.swarm.once('peer-ready', resolve))))
    expect(['one-7777', 'two-7777']).toContain(await first)
    // Its one dial made, it dials no more; a peer that dials it is let in all the same.
    let accepted!: Promise<string>
    await peer(manifest, id, 'caller-7777', empty(), {}, () => {
      accepted = once((resolve) => host.swarm.once('peer-ready', resolve))
    })
    expect(await accepted).toBe('caller-7777')
    expect(host.swarm.peerStats()).toHaveLength(2)
    expect(host.connector.connecting).toBe(0)
  })
})

describe('PeerConnector: room reports', () => {
  /** Resolves when `p` has opened connections to all of `ids`. */
  const readyWith = (p: TestPeer, ids: string[]) =>
    once<void>((resolve) => {
      const seen = new Set<string>()
      p.swarm.on('peer-ready', (peerId) => {
        seen.add(String(peerId))
        if (ids.every((id) => seen.has(id))) resolve()
      })
    })

  /** A bare tracker client in the swarm, for asking the tracker whom it hands out first; it dials nobody. */
  async function onlooker(swarmId: string, peerId: string, full = false): Promise<TrackerClient> {
    const client = await TrackerClient.connect(server.url)
    cleanups.push(() => client.close())
    await client.announce({ swarm: swarmId, peerId, pieces: 0, complete: false, full })
    return client
  }

  it('tells the tracker when it fills up and when it has room again, and only then', async () => {
    const { manifest, id } = await manifestFor(randomData(4 * PIECE), PIECE, 'room.bin')
    const empty = () => new MemoryChunkStore(manifest.pieces.length)
    const others = ['room-a-8888', 'room-b-8888']
    const a = await peer(manifest, id, others[0]!, empty(), {}, () => {}, editingHandouts(() => []))
    await peer(manifest, id, others[1]!, empty(), {}, () => {}, editingHandouts(() => []))
    const announced: (boolean | undefined)[] = []
    const reported: boolean[] = []
    let ready!: Promise<void>
    // Room for two: both dials together fill it. It dials only the two others, never the onlooker.
    await peer(manifest, id, 'host-8888', empty(), { maxPeers: 2 }, (p) => (ready = readyWith(p, others)), (client) => {
      const base = editingHandouts((peers) => peers.filter((p) => others.includes(p.peerId)))(client)
      return {
        ...base,
        announce: (body) => {
          announced.push(body.full)
          return base.announce(body)
        },
        room: async (body) => {
          await base.room(body)
          reported.push(body.full)
        },
      }
    })
    await ready
    await vi.waitFor(() => expect(reported).toEqual([true]))
    expect(announced[0]).toBe(false)

    // The tracker now hands the two with room out first.
    const asker = await onlooker(id, 'asker-8888')
    expect((await asker.announce({ swarm: id, peerId: 'asker-8888', pieces: 0, complete: false })).map((p) => p.peerId).at(-1)).toBe('host-8888')

    await Promise.all([a.connector.stop(), a.swarm.destroy()])
    await vi.waitFor(() => expect(reported).toEqual([true, false]))
    expect(announced.every((full) => full === false)).toBe(true)
  })

  it('sends one report at a time, and the latest once the tracker has answered', async () => {
    const { manifest, id } = await manifestFor(randomData(4 * PIECE), PIECE, 'room-in-flight.bin')
    const empty = () => new MemoryChunkStore(manifest.pieces.length)
    const other = 'other-9999'
    const a = await peer(manifest, id, other, empty(), {}, () => {}, editingHandouts(() => []))
    // Full from the start: the host's report of room must put it ahead of this one.
    await onlooker(id, 'filler-9999', true)
    let openGate!: () => void
    const gate = new Promise<void>((resolve) => (openGate = resolve))
    const sent: boolean[] = []
    let inFlight = 0
    let mostInFlight = 0
    let ready!: Promise<void>
    const host = await peer(manifest, id, 'host-9999', empty(), { maxPeers: 1 }, (p) => (ready = readyWith(p, [other])), (client) => {
      const base = editingHandouts((peers) => peers.filter((p) => p.peerId === other))(client)
      return {
        ...base,
        // Each report is held until the gate opens, as if the tracker were slow to answer.
        room: async (body) => {
          sent.push(body.full)
          mostInFlight = Math.max(mostInFlight, ++inFlight)
          try {
            await gate
            await base.room(body)
          } finally {
            inFlight--
          }
        },
      }
    })
    await ready
    expect(sent).toEqual([true])

    // Its one connection closes: it has room again, and its next announce (soon, as its handout
    // ran dry) says so, but the report of `full` has no answer yet, so no second report goes out.
    const reannounced = once<PeerInfo[]>((resolve) => host.connector.once('announced', resolve))
    await Promise.all([a.connector.stop(), a.swarm.destroy()])
    await reannounced
    expect(host.connector.connecting).toBe(0)
    expect(sent).toEqual([true])

    // Answered: the report of `full` reached the tracker after that announce, so room is reported again.
    openGate()
    await vi.waitFor(() => expect(sent).toEqual([true, false]))
    await vi.waitFor(() => expect(inFlight).toBe(0))
    expect(mostInFlight).toBe(1)
    const asker = await onlooker(id, 'asker-9999')
    expect((await asker.announce({ swarm: id, peerId: 'asker-9999', pieces: 0, complete: false })).map((p) => p.peerId)).toEqual(['host-9999', 'filler-9999'])
  })
})
