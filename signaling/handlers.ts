/**
 * The tracker's Socket.IO events: announce, leave, room, signal, manifest publish and fetch.
 * Each connection is bound to the first peer id it announces, and signals only flow between
 * peers that share the swarm named in the message. A private tracker admits a connection to a
 * swarm only with a join token for it (see admission.ts); signalling needs no token because it
 * needs membership, which only an admitted announce grants.
 *
 * State lives behind the TrackerStore (in memory, or in Redis shared by several processes), so
 * the handlers are async; each connection's events run one at a time, in order (in-order.ts).
 * A signal goes to the receiving connection's id: with the Redis adapter that reaches it on
 * whichever process holds it.
 */
import type { Server, Socket } from 'socket.io'
import { z } from 'zod'
import { isShoalError } from '../core/errors.ts'
import { sha256Hex, utf8 } from '../core/bytes.ts'
import { decodeManifest } from '../core/manifest.ts'
import {
  announceSchema,
  fetchManifestSchema,
  leaveSchema,
  publishManifestSchema,
  roomSchema,
  signalSchema,
  STATS_MIN_GAP_MS,
  statsSchema,
  trackerAuthSchema,
} from '../core/tracker-protocol.ts'
import type {
  Announce,
  ClientToServerEvents,
  FetchManifest,
  Leave,
  PeerInfo,
  PublishManifest,
  RoomReport,
  ServerToClientEvents,
  SignalRequest,
  StatsReport,
} from '../core/tracker-protocol.ts'
import { notAdmitted } from './admission.ts'
import type { SwarmAdmission } from './admission.ts'
import { fail, guarded } from './guarded.ts'
import type { AckResponse, EventOutcome, GuardedHandler } from './guarded.ts'
import { inOrder } from './in-order.ts'
import type { TaskQueue } from './in-order.ts'
import { DEFAULT_HANDOUT_SIZE } from './peer-handout.ts'
import { TokenBucket } from './rate-limiter.ts'
import type { TrackerStore } from './tracker-store.ts'
import type { TrafficBook } from './traffic-book.ts'

export interface SocketData extends TaskQueue {
  /** The first peer id this connection announced; it may not announce as another. */
  peerId: string | undefined
  /** From the handshake; lets the same client take its peer id over after a reconnect. */
  sessionKey: string | undefined
  /** The swarms this connection announced in. Being in one is being admitted to it: a private
   * tracker checked the token on the announce that added it, so later announces need none. */
  swarms: Set<string>
  rate: TokenBucket
  /** When this connection's last traffic report per swarm was taken, to cap how often it reports;
   * made on the first report (most connections never send one). */
  statsAt: Map<string, number> | undefined
}

export type InterServerEvents = Record<never, never>
export type TrackerIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>
type TrackerSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>

export interface TrackerLimits {
  /** Swarms one connection may be in at once. */
  maxSwarmsPerSocket: number
  /** Peers handed out per announce. */
  handoutSize: number
  /** Events a connection may send at once, and per second after that. A browser peer opening
   * dozens of connections sends an offer plus several ICE candidates for each, in a burst. */
  eventBurst: number
  eventsPerSecond: number
}

export const DEFAULT_TRACKER_LIMITS: TrackerLimits = {
  maxSwarmsPerSocket: 64,
  handoutSize: DEFAULT_HANDOUT_SIZE,
  eventBurst: 1000,
  eventsPerSecond: 200,
}

export type TrackerState = TrackerStore

export interface TrackerHandlerOptions {
  limits?: Partial<TrackerLimits>
  /** Unexpected failures inside a handler; the client only gets a TRACKER_ERROR ack. */
  onError?: (err: unknown, event: string) => void
  /** A private tracker's gate; without one every swarm is open. */
  admission?: SwarmAdmission
  /** Told how every event was answered (metrics, logs). */
  observe?: (socketId: string, outcome: EventOutcome) => void
  /** Keeps peers' traffic reports for the dashboard; without one they are checked and dropped. */
  traffic?: TrafficBook
}

export interface TrackerHandlers {
  /** Resolves once every closed connection's cleanup has reached the store (before closing it). */
  settled(): Promise<void>
}

const logError = (err: unknown, event: string) => console.error(`[tracker] ${event} failed:`, err)

export function attachTrackerHandlers(io: TrackerIo, state: TrackerState, options: TrackerHandlerOptions = {}): TrackerHandlers {
  const limits = { ...DEFAULT_TRACKER_LIMITS, ...options.limits }
  const onError = options.onError ?? logError
  const { admission, traffic } = options
  const cleanups = new Set<Promise<void>>()

  const guard = { onError, observe: options.observe }
  // Built once and shared by every connection. Schema and rate limit are checked as events
  // arrive (guarded); the work then waits its turn in the connection's queue.
  const queued = <T, R>(event: keyof ClientToServerEvents, schema: z.ZodType<T>, handler: (socket: TrackerSocket, body: T) => Promise<R>) =>
    guarded<TrackerSocket, T, R>({ ...guard, event, schema }, (socket, body) => inOrder(socket.data, () => handler(socket, body)))
  const handlers = new Map<unknown, GuardedHandler<TrackerSocket>>([
    ['announce', queued('announce', announceSchema, announce)],
    ['leave', queued('leave', leaveSchema, leave)],
    // Queued: it must land after the connection's announce, and never be overtaken by an older one.
    ['room', queued('room', roomSchema, room)],
    ['signal', queued('signal', signalSchema, signal)],
    ['manifest:publish', queued('manifest:publish', publishManifestSchema, publish)],
    ['manifest:fetch', queued('manifest:fetch', fetchManifestSchema, fetch)],
    // Reports touch no store: answered at once, not queued behind the connection's other events.
    ['stats', guarded({ ...guard, event: 'stats', schema: statsSchema }, stats)],
  ])
  // An event the tracker does not handle still spends a token, or a client could flood with
  // made-up names past the rate limit, and is refused out loud rather than left to time out.
  // Counted under one name: the client picks the names, and metrics must not grow with them.
  const unknownEvent = guarded({ ...guard, event: 'unknown', schema: z.unknown() }, () =>
    fail('BAD_INPUT', `unknown event; a tracker handles ${[...handlers.keys()].join(', ')}`),
  )

  io.on('connection', (socket) => {
    const auth = trackerAuthSchema.safeParse(socket.handshake.auth)
    socket.data = {
      peerId: undefined,
      sessionKey: auth.success ? auth.data.sessionKey : undefined,
      swarms: new Set(),
      rate: new TokenBucket({ burst: limits.eventBurst, perSecond: limits.eventsPerSecond }),
      statsAt: undefined,
      tail: undefined,
    }
    // One listener for every event, and one for the end: per connection, only these two closures.
    socket.onAny((event: unknown, ...args: unknown[]) => (handlers.get(event) ?? unknownEvent)(socket, args))
    socket.on('disconnect', () => {
      const cleanup = inOrder(socket.data, () => forget(socket)).catch((err: unknown) => onError(err, 'disconnect'))
      cleanups.add(cleanup)
      void cleanup.finally(() => cleanups.delete(cleanup))
    })
  })

  /** Runs `admitted` if `socket` may act in `swarm` (always on an open tracker), else answers NOT_ADMITTED. */
  async function whenAdmitted<T>(
    socket: TrackerSocket,
    swarm: string,
    token: string | undefined,
    admitted: () => AckResponse<T> | Promise<AckResponse<T>>,
  ): Promise<AckResponse<T>> {
    if (!admission || socket.data.swarms.has(swarm)) return admitted()
    return (await admission.check(swarm, token)) ?? admitted()
  }

  function announce(socket: TrackerSocket, body: Announce): Promise<AckResponse<{ peers: PeerInfo[] }>> {
    // Checked before the peer id is bound: a connection that is not admitted leaves no trace.
    return whenAdmitted(socket, body.swarm, body.token, () =>
      // The check may have waited; a connection that dropped meanwhile must not be put in a swarm.
      socket.disconnected ? fail('NOT_ADMITTED', 'this connection left the tracker before its announce ran') : join(socket, body),
    )
  }

  async function join(socket: TrackerSocket, body: Announce): Promise<AckResponse<{ peers: PeerInfo[] }>> {
    const { swarm, peerId, pieces, complete } = body
    const bound = socket.data.peerId
    if (bound !== undefined && bound !== peerId) {
      return fail('NOT_ADMITTED', `this connection announced as peer ${bound}; it cannot announce as ${peerId}`)
    }
    // Claimed on every announce, not only the first: where claims expire (Redis) this renews it,
    // and a connection whose id was taken over meanwhile learns so here.
    const claim = await state.peers.claim(peerId, { socketId: socket.id, sessionKey: socket.data.sessionKey })
    if (!claim.ok) return fail('NOT_ADMITTED', `peer id ${peerId} is in use by another connection`)
    if (claim.replaced) dropSuperseded(claim.replaced)
    socket.data.peerId = peerId
    if (!socket.data.swarms.has(swarm) && socket.data.swarms.size >= limits.maxSwarmsPerSocket) {
      return fail('NOT_ADMITTED', `a connection may be in at most ${limits.maxSwarmsPerSocket} swarms; leave one first`)
    }
    // Sent together (one round trip to Redis, not two): the handout never includes the asker, so
    // it does not matter whether it sees this upsert.
    const [, peers] = await Promise.all([
      // An older client sends no `full`: it is handed out as a peer with room, as before.
      state.swarms.upsert(swarm, { peerId, socketId: socket.id, pieces, complete, full: body.full ?? false }),
      state.swarms.handout(swarm, peerId, limits.handoutSize),
    ])
    socket.data.swarms.add(swarm)
    return { ok: true, peers }
  }

  async function leave(socket: TrackerSocket, body: Leave): Promise<AckResponse<object>> {
    const { peerId } = socket.data
    socket.data.swarms.delete(body.swarm)
    socket.data.statsAt?.delete(body.swarm)
    if (peerId !== undefined) traffic?.remove(body.swarm, peerId)
    if (peerId !== undefined) await state.swarms.remove(body.swarm, peerId, socket.id)
    return { ok: true }
  }

  /** Whether the peer has room for another connection, for a swarm it announced in: the handout puts peers with room first. */
  async function room(socket: TrackerSocket, body: RoomReport): Promise<AckResponse<object>> {
    const { peerId, swarms } = socket.data
    if (peerId === undefined || !swarms.has(body.swarm)) return fail('NOT_ADMITTED', `announce in swarm ${body.swarm} before reporting room in it`)
    // The store has the last word: the entry may have been taken over by the peer's own newer
    // connection, or have expired (Redis); a stale report must neither change nor recreate it.
    if (!(await state.swarms.setFull(body.swarm, peerId, socket.id, body.full))) {
      return fail('NOT_ADMITTED', `peer ${peerId} is no longer in swarm ${body.swarm} on this connection; announce again`)
    }
    return { ok: true }
  }

  async function signal(socket: TrackerSocket, body: SignalRequest): Promise<AckResponse<object>> {
    const { swarm, to, data } = body
    const from = socket.data.peerId
    const notIn = fail('NOT_ADMITTED', `announce in swarm ${swarm} before signalling in it`)
    // This connection's own record decides first, without asking the store.
    if (from === undefined || !socket.data.swarms.has(swarm)) return notIn
    // The store has the last word for both ends: the sender's entry may have been taken over by
    // its own newer connection, and the receiver may be on another process.
    const [sender, target] = await Promise.all([state.swarms.get(swarm, from), to === from ? undefined : state.swarms.get(swarm, to)])
    if (sender?.socketId !== socket.id) return notIn
    if (!target) return fail('NOT_FOUND', `peer ${to} is not in swarm ${swarm}`)
    io.to(target.socketId).emit('signal', { swarm, from, data })
    return { ok: true }
  }

  /** Keeps a peer's traffic report, at most one per swarm per STATS_MIN_GAP_MS, only for swarms it announced in. */
  function stats(socket: TrackerSocket, body: StatsReport): AckResponse<object> {
    const { peerId, swarms } = socket.data
    if (peerId === undefined || !swarms.has(body.swarm)) return fail('NOT_ADMITTED', `announce in swarm ${body.swarm} before reporting stats for it`)
    const statsAt = (socket.data.statsAt ??= new Map())
    const now = Date.now()
    const last = statsAt.get(body.swarm)
    if (last !== undefined && now - last < STATS_MIN_GAP_MS) {
      return fail('RATE_LIMITED', `stats for a swarm at most once every ${STATS_MIN_GAP_MS} ms`)
    }
    statsAt.set(body.swarm, now)
    traffic?.record(peerId, body)
    return { ok: true }
  }

  /**
   * Publishing needs admission to the swarm the manifest names. A join token for it is enough:
   * the id is the manifest's hash, so whoever may fetch it can only ever re-publish the same bytes.
   */
  async function publish(socket: TrackerSocket, body: PublishManifest): Promise<AckResponse<{ id: string }>> {
    // Cheap refusal first: without a token a private tracker has no reason to hash the manifest.
    if (admission && body.token === undefined) return notAdmitted('missing')
    const bytes = utf8.encode(body.manifest)
    // The id is computed here, never taken from the client, so fetch-by-id always returns matching bytes.
    const id = await sha256Hex(bytes)
    // Checked before the manifest is even parsed: a peer that is not admitted learns nothing.
    return whenAdmitted(socket, id, body.token, async (): Promise<AckResponse<{ id: string }>> => {
      try {
        decodeManifest(bytes)
      } catch (err) {
        if (isShoalError(err)) return fail('BAD_MANIFEST', err.message)
        throw err
      }
      await state.manifests.put(id, utf8.decode(bytes), bytes.length)
      return { ok: true, id }
    })
  }

  /** Unknown and forbidden ids get the same NOT_ADMITTED from a private tracker: admission is checked first. */
  function fetch(socket: TrackerSocket, body: FetchManifest): Promise<AckResponse<{ manifest: string }>> {
    return whenAdmitted(socket, body.id, body.token, async (): Promise<AckResponse<{ manifest: string }>> => {
      const manifest = await state.manifests.get(body.id)
      if (manifest === undefined) return fail('NOT_FOUND', `no manifest ${body.id} on this tracker; publish it first`)
      return { ok: true, manifest }
    })
  }

  /**
   * The peer came back on a new connection: the old one is dead, whatever the socket layer
   * thinks. Disconnected by id, so the adapter finds it on whichever process holds it; its own
   * cleanup then removes only what still points at it.
   */
  function dropSuperseded(socketId: string): void {
    io.in(socketId).disconnectSockets(true)
  }

  /** After a disconnect: leave every swarm and free the peer id, unless a newer connection holds them. */
  async function forget(socket: TrackerSocket): Promise<void> {
    const { peerId } = socket.data
    const swarms = [...socket.data.swarms]
    socket.data.swarms.clear()
    if (peerId === undefined) return
    for (const swarm of swarms) traffic?.remove(swarm, peerId)
    const done = await Promise.allSettled([
      ...swarms.map((swarm) => state.swarms.remove(swarm, peerId, socket.id)),
      state.peers.release(peerId, socket.id),
    ])
    // A store that failed now (Redis away) lets the entries expire instead.
    for (const result of done) if (result.status === 'rejected') onError(result.reason, 'disconnect')
  }

  return {
    async settled() {
      await Promise.allSettled([...cleanups])
    },
  }
}
