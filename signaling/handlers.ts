/**
 * The tracker's Socket.IO events: announce, leave, signal, manifest publish and fetch.
 * Each connection is bound to the first peer id it announces, and signals only flow between
 * peers that share the swarm named in the message.
 */
import type { Server, Socket } from 'socket.io'
import { isShoalError } from '../core/errors.ts'
import { sha256Hex, utf8 } from '../core/bytes.ts'
import { decodeManifest } from '../core/manifest.ts'
import {
  announceSchema,
  fetchManifestSchema,
  leaveSchema,
  publishManifestSchema,
  signalSchema,
  trackerAuthSchema,
} from '../core/tracker-protocol.ts'
import type {
  Announce,
  ClientToServerEvents,
  FetchManifest,
  Leave,
  PeerInfo,
  PublishManifest,
  ServerToClientEvents,
  SignalRequest,
} from '../core/tracker-protocol.ts'
import { fail, guarded } from './guarded.ts'
import type { AckResponse } from './guarded.ts'
import type { ManifestRegistry } from './manifest-registry.ts'
import type { PeerDirectory } from './peer-directory.ts'
import { DEFAULT_HANDOUT_SIZE } from './peer-handout.ts'
import { TokenBucket } from './rate-limiter.ts'
import type { SwarmRegistry } from './swarm-registry.ts'

export interface SocketData {
  /** The first peer id this connection announced; it may not announce as another. */
  peerId: string | undefined
  /** From the handshake; lets the same client take its peer id over after a reconnect. */
  sessionKey: string | undefined
  swarms: Set<string>
  rate: TokenBucket
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

export interface TrackerState {
  swarms: SwarmRegistry
  peers: PeerDirectory
  manifests: ManifestRegistry
}

export interface TrackerHandlerOptions {
  limits?: Partial<TrackerLimits>
  /** Unexpected failures inside a handler; the client only gets a TRACKER_ERROR ack. */
  onError?: (err: unknown, event: string) => void
}

const logError = (err: unknown, event: string) => console.error(`[tracker] ${event} failed:`, err)

export function attachTrackerHandlers(io: TrackerIo, state: TrackerState, options: TrackerHandlerOptions = {}): void {
  const limits = { ...DEFAULT_TRACKER_LIMITS, ...options.limits }
  const onError = options.onError ?? logError

  io.on('connection', (socket) => {
    const auth = trackerAuthSchema.safeParse(socket.handshake.auth)
    socket.data = {
      peerId: undefined,
      sessionKey: auth.success ? auth.data.sessionKey : undefined,
      swarms: new Set(),
      rate: new TokenBucket({ burst: limits.eventBurst, perSecond: limits.eventsPerSecond }),
    }
    const guard = { rate: socket.data.rate, onError }

    socket.on('announce', guarded({ ...guard, event: 'announce', schema: announceSchema }, (body) => announce(socket, body)))
    socket.on('leave', guarded({ ...guard, event: 'leave', schema: leaveSchema }, (body) => leave(socket, body)))
    socket.on('signal', guarded({ ...guard, event: 'signal', schema: signalSchema }, (body) => signal(socket, body)))
    socket.on('manifest:publish', guarded({ ...guard, event: 'manifest:publish', schema: publishManifestSchema }, publish))
    socket.on('manifest:fetch', guarded({ ...guard, event: 'manifest:fetch', schema: fetchManifestSchema }, fetch))
    socket.on('disconnect', () => forget(socket))
  })

  function announce(socket: TrackerSocket, body: Announce): AckResponse<{ peers: PeerInfo[] }> {
    const { swarm, peerId, pieces, complete } = body
    const bound = socket.data.peerId
    if (bound === undefined) {
      const claim = state.peers.claim(peerId, { socketId: socket.id, sessionKey: socket.data.sessionKey })
      if (!claim.ok) return fail('NOT_ADMITTED', `peer id ${peerId} is in use by another connection`)
      if (claim.replaced) dropSuperseded(claim.replaced)
      socket.data.peerId = peerId
    } else if (bound !== peerId) {
      return fail('NOT_ADMITTED', `this connection announced as peer ${bound}; it cannot announce as ${peerId}`)
    }
    if (!socket.data.swarms.has(swarm) && socket.data.swarms.size >= limits.maxSwarmsPerSocket) {
      return fail('NOT_ADMITTED', `a connection may be in at most ${limits.maxSwarmsPerSocket} swarms; leave one first`)
    }
    state.swarms.upsert(swarm, { peerId, socketId: socket.id, pieces, complete })
    socket.data.swarms.add(swarm)
    return { ok: true, peers: state.swarms.handout(swarm, peerId, limits.handoutSize) }
  }

  function leave(socket: TrackerSocket, body: Leave): AckResponse<object> {
    const { peerId } = socket.data
    if (peerId !== undefined) state.swarms.remove(body.swarm, peerId, socket.id)
    socket.data.swarms.delete(body.swarm)
    return { ok: true }
  }

  function signal(socket: TrackerSocket, body: SignalRequest): AckResponse<object> {
    const { swarm, to, data } = body
    const from = socket.data.peerId
    if (from === undefined || state.swarms.get(swarm, from)?.socketId !== socket.id) {
      return fail('NOT_ADMITTED', `announce in swarm ${swarm} before signalling in it`)
    }
    const target = state.swarms.get(swarm, to)
    if (!target || to === from) return fail('NOT_FOUND', `peer ${to} is not in swarm ${swarm}`)
    io.to(target.socketId).emit('signal', { swarm, from, data })
    return { ok: true }
  }

  async function publish(body: PublishManifest): Promise<AckResponse<{ id: string }>> {
    const bytes = utf8.encode(body.manifest)
    try {
      decodeManifest(bytes)
    } catch (err) {
      if (isShoalError(err)) return fail('BAD_MANIFEST', err.message)
      throw err
    }
    // The id is computed here, never taken from the client, so fetch-by-id always returns matching bytes.
    const id = await sha256Hex(bytes)
    state.manifests.put(id, utf8.decode(bytes), bytes.length)
    return { ok: true, id }
  }

  function fetch(body: FetchManifest): AckResponse<{ manifest: string }> {
    const manifest = state.manifests.get(body.id)
    if (manifest === undefined) return fail('NOT_FOUND', `no manifest ${body.id} on this tracker; publish it first`)
    return { ok: true, manifest }
  }

  /** The peer came back on a new connection: the old one is dead, whatever the socket layer thinks. */
  function dropSuperseded(socketId: string): void {
    const old = io.of('/').sockets.get(socketId)
    if (!old) return
    leaveAll(old)
    old.disconnect(true)
  }

  function leaveAll(socket: TrackerSocket): void {
    const { peerId } = socket.data
    if (peerId !== undefined) for (const swarm of socket.data.swarms) state.swarms.remove(swarm, peerId, socket.id)
    socket.data.swarms.clear()
  }

  function forget(socket: TrackerSocket): void {
    leaveAll(socket)
    if (socket.data.peerId !== undefined) state.peers.release(socket.data.peerId, socket.id)
  }
}
