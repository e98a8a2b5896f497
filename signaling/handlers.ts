/**
 * The tracker's Socket.IO events: announce, leave, signal, manifest publish and fetch.
 * Each connection is bound to the first peer id it announces, and signals only flow between
 * peers that share the swarm named in the message. A private tracker admits a connection to a
 * swarm only with a join token for it (see admission.ts); signalling needs no token because it
 * needs membership, which only an admitted announce grants.
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
import { notAdmitted } from './admission.ts'
import type { SwarmAdmission } from './admission.ts'
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
  /** The swarms this connection announced in. Being in one is being admitted to it: a private
   * tracker checked the token on the announce that added it, so later announces need none. */
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
  /** A private tracker's gate; without one every swarm is open. */
  admission?: SwarmAdmission
}

const logError = (err: unknown, event: string) => console.error(`[tracker] ${event} failed:`, err)

export function attachTrackerHandlers(io: TrackerIo, state: TrackerState, options: TrackerHandlerOptions = {}): void {
  const limits = { ...DEFAULT_TRACKER_LIMITS, ...options.limits }
  const onError = options.onError ?? logError
  const { admission } = options

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
    socket.on('manifest:publish', guarded({ ...guard, event: 'manifest:publish', schema: publishManifestSchema }, (body) => publish(socket, body)))
    socket.on('manifest:fetch', guarded({ ...guard, event: 'manifest:fetch', schema: fetchManifestSchema }, (body) => fetch(socket, body)))
    socket.on('disconnect', () => forget(socket))
  })

  /**
   * Runs `admitted` if `socket` may act in `swarm`, else answers NOT_ADMITTED. An open tracker,
   * or a swarm the connection is in already, runs it synchronously, so events keep their order.
   */
  function whenAdmitted<T>(
    socket: TrackerSocket,
    swarm: string,
    token: string | undefined,
    admitted: () => AckResponse<T> | Promise<AckResponse<T>>,
  ): AckResponse<T> | Promise<AckResponse<T>> {
    if (!admission || socket.data.swarms.has(swarm)) return admitted()
    return admission.check(swarm, token).then((refused) => refused ?? admitted())
  }

  function announce(socket: TrackerSocket, body: Announce): AckResponse<{ peers: PeerInfo[] }> | Promise<AckResponse<{ peers: PeerInfo[] }>> {
    // Checked before the peer id is bound: a connection that is not admitted leaves no trace.
    return whenAdmitted(socket, body.swarm, body.token, () =>
      // The check may have waited; a connection that dropped meanwhile must not be put in a swarm.
      socket.disconnected ? fail('TRACKER_ERROR', 'the connection closed during announce') : join(socket, body),
    )
  }

  function join(socket: TrackerSocket, body: Announce): AckResponse<{ peers: PeerInfo[] }> {
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
    return whenAdmitted(socket, id, body.token, (): AckResponse<{ id: string }> => {
      try {
        decodeManifest(bytes)
      } catch (err) {
        if (isShoalError(err)) return fail('BAD_MANIFEST', err.message)
        throw err
      }
      state.manifests.put(id, utf8.decode(bytes), bytes.length)
      return { ok: true, id }
    })
  }

  /** Unknown and forbidden ids get the same NOT_ADMITTED from a private tracker: admission is checked first. */
  function fetch(socket: TrackerSocket, body: FetchManifest): AckResponse<{ manifest: string }> | Promise<AckResponse<{ manifest: string }>> {
    return whenAdmitted(socket, body.id, body.token, (): AckResponse<{ manifest: string }> => {
      const manifest = state.manifests.get(body.id)
      if (manifest === undefined) return fail('NOT_FOUND', `no manifest ${body.id} on this tracker; publish it first`)
      return { ok: true, manifest }
    })
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
