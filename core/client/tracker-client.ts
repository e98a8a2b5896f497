/**
 * A connection to a Shoal tracker: announce to swarms, relay WebRTC signals, publish and fetch
 * manifests. Isomorphic (browser and Node). Socket.IO reconnects by itself; the tracker forgets
 * a peer's swarms when its connection drops, so callers announce again on `onReconnect`.
 */
import { io } from 'socket.io-client'
import type { Socket } from 'socket.io-client'
import { z } from 'zod'
import { randomHex, sha256Hex, utf8 } from '../bytes.ts'
import { Emitter } from '../emitter.ts'
import { ShoalError } from '../errors.ts'
import { decodeVerifiedManifest, isContentId } from '../manifest.ts'
import type { Manifest } from '../manifest.ts'
import { peerInfoSchema, relayedSignalSchema } from '../tracker-protocol.ts'
import type { Announce, ClientToServerEvents, PeerInfo, RoomReport, ServerToClientEvents, StatsReport } from '../tracker-protocol.ts'
import { malformed, readAnswer } from './tracker-answer.ts'

/**
 * Admission to a private tracker's swarms: a join token, or a function that gets (mints) one for
 * a swarm id, asked before each announce, manifest fetch and publish. An open tracker ignores it.
 */
export type JoinTokenSource = string | ((swarm: string) => string | Promise<string>)

export interface TrackerConnectOptions {
  /** How long to keep trying to reach the tracker before giving up. */
  timeoutMs?: number
  /** How long each request waits for the tracker's answer. */
  requestTimeoutMs?: number
  signal?: AbortSignal
  token?: JoinTokenSource
  /** How Socket.IO backs off between reconnect attempts after the connection drops. */
  reconnect?: Partial<ReconnectBackoff>
}

/**
 * Delay before reconnect attempt n (from 1): `minDelayMs * 2^(n-1)`, capped at `maxDelayMs`,
 * then moved by up to +-`jitter` of itself (Socket.IO's own backoff). The jitter spreads out the
 * reconnects of every peer of a restarted tracker, so they do not all arrive in the same second.
 */
export interface ReconnectBackoff {
  minDelayMs: number
  maxDelayMs: number
  /** 0 to 1. */
  jitter: number
}

export const DEFAULT_RECONNECT_BACKOFF: ReconnectBackoff = { minDelayMs: 1000, maxDelayMs: 5000, jitter: 0.5 }

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
/** Failed connection attempts before the first connect gives up (Socket.IO backs off 1 s, 2 s, ...). */
const INITIAL_CONNECT_ATTEMPTS = 3
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000

export interface RelayedSignal {
  swarm: string
  /** The sending peer; the tracker vouches that it shares `swarm` with this peer. */
  from: string
  data: unknown
}

export interface TrackerDisconnect {
  reason: string
  /** True when Socket.IO is retrying by itself; `onReconnect` follows if it succeeds. */
  reconnecting: boolean
}

export type TrackerClientEvents = {
  signal: [RelayedSignal]
  disconnect: [TrackerDisconnect]
  /** Socket.IO is about to try reconnect attempt number `attempt` (1, 2, ...), after its backoff delay. */
  reconnecting: [attempt: number]
  reconnect: []
}

type TrackerSocket = Socket<ServerToClientEvents, ClientToServerEvents>

const peerListSchema = z.array(peerInfoSchema)

export class TrackerClient extends Emitter<TrackerClientEvents> {
  readonly url: string
  readonly #socket: TrackerSocket
  readonly #requestTimeoutMs: number
  readonly #token: JoinTokenSource | undefined
  #connectedBefore = false
  #disconnects = 0
  #closed = false

  static async connect(url: string, options: TrackerConnectOptions = {}): Promise<TrackerClient> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
    const backoff = { ...DEFAULT_RECONNECT_BACKOFF, ...options.reconnect }
    const client = new TrackerClient(url, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, options.token, backoff)
    try {
      await client.#connected(timeoutMs, options.signal)
    } catch (err) {
      client.close()
      throw err
    }
    return client
  }

  private constructor(url: string, requestTimeoutMs: number, token: JoinTokenSource | undefined, backoff: ReconnectBackoff) {
    super()
    this.url = url
    this.#requestTimeoutMs = requestTimeoutMs
    this.#token = token
    const target = parseTrackerUrl(url)
    this.#socket = io(target.origin, {
      // A tracker mounted under a path prefix keeps its Socket.IO endpoint under that prefix.
      path: `${target.pathname.replace(/\/+$/, '')}/socket.io/`,
      transports: ['websocket'],
      // Each client gets its own connection, so its peer binding on the tracker is its own.
      forceNew: true,
      auth: { sessionKey: randomHex(16) },
      // Retries forever (the default): a tracker restart must not end a download or a seed.
      reconnectionDelay: backoff.minDelayMs,
      reconnectionDelayMax: backoff.maxDelayMs,
      randomizationFactor: backoff.jitter,
    })
    this.#socket.io.on('reconnect_attempt', (attempt) => this.emit('reconnecting', attempt))
    this.#socket.on('connect', () => {
      if (this.#connectedBefore) this.emit('reconnect')
      this.#connectedBefore = true
    })
    this.#socket.on('disconnect', (reason) => {
      this.#disconnects++
      this.emit('disconnect', { reason, reconnecting: this.#socket.active })
    })
    this.#socket.on('signal', (body) => {
      const parsed = relayedSignalSchema.safeParse(body)
      if (parsed.success) this.emit('signal', parsed.data)
    })
  }

  get connected(): boolean {
    return this.#socket.connected
  }

  /** Joins or updates this peer in a swarm; answers a sample of the other peers in it. */
  async announce(body: Announce): Promise<PeerInfo[]> {
    const withToken = { ...body, ...(await this.#tokenFor(body.swarm)) }
    const answer = await this.#request('announce', (s) => s.emitWithAck('announce', withToken))
    const peers = peerListSchema.safeParse(answer.peers)
    if (!peers.success) throw malformed('announce')
    return peers.data
  }

  async leave(swarm: string): Promise<void> {
    // The tracker forgot this connection's swarms when it dropped; waiting for an answer that
    // cannot come would only hold up a peer shutting down during a tracker outage.
    if (!this.#closed && !this.#socket.connected) return
    await this.#request('leave', (s) => s.emitWithAck('leave', { swarm }))
  }

  /** Tells the tracker whether this peer has room for another connection in a swarm it announced in. */
  async room(body: RoomReport): Promise<void> {
    // Sent later it would arrive before the announce that puts this peer back in the swarm after
    // the reconnect, and be refused; that announce says whether it is full anyway.
    if (!this.#closed && !this.#socket.connected) return
    await this.#request('room', (s) => s.emitWithAck('room', body))
  }

  /** Relays `data` (an SDP or ICE message) to peer `to` in `swarm`. */
  async signal(swarm: string, to: string, data: unknown): Promise<void> {
    await this.#request('signal', (s) => s.emitWithAck('signal', { swarm, to, data }))
  }

  /**
   * Sends a traffic report for the tracker's dashboard, without waiting for an answer: one lost
   * while disconnected (or refused) is simply replaced by the next.
   */
  reportStats(report: StatsReport): void {
    if (!this.#closed && this.#socket.connected) this.#socket.emit('stats', report)
  }

  /** Publishes canonical manifest JSON; answers its id, checked against the bytes sent. */
  async publishManifest(manifestJson: string): Promise<string> {
    // Hashed first: a private tracker wants a join token for the id the manifest will have.
    const expected = await sha256Hex(utf8.encode(manifestJson))
    const body = { manifest: manifestJson, ...(await this.#tokenFor(expected)) }
    const answer = await this.#request('manifest:publish', (s) => s.emitWithAck('manifest:publish', body))
    if (answer.id !== expected) {
      throw new ShoalError('MANIFEST_ID_MISMATCH', `tracker named the manifest ${String(answer.id)}, but its bytes hash to ${expected}`)
    }
    return expected
  }

  /** Fetches a manifest by id and checks that its bytes hash to that id. */
  async fetchManifest(id: string): Promise<Manifest> {
    if (!isContentId(id)) throw new ShoalError('BAD_INPUT', `${id} is not a manifest id (64 lowercase hex characters)`)
    const body = { id, ...(await this.#tokenFor(id)) }
    const answer = await this.#request('manifest:fetch', (s) => s.emitWithAck('manifest:fetch', body))
    if (typeof answer.manifest !== 'string') throw malformed('manifest:fetch')
    return decodeVerifiedManifest(utf8.encode(answer.manifest), id)
  }

  onSignal(listener: (signal: RelayedSignal) => void): () => void {
    return this.on('signal', listener)
  }

  onDisconnect(listener: (disconnect: TrackerDisconnect) => void): () => void {
    return this.on('disconnect', listener)
  }

  /** After Socket.IO reconnected: the tracker has forgotten this peer's swarms, so announce again. */
  onReconnect(listener: () => void): () => void {
    return this.on('reconnect', listener)
  }

  onReconnecting(listener: (attempt: number) => void): () => void {
    return this.on('reconnecting', listener)
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#socket.disconnect()
    this.removeAllListeners()
  }

  /** The `token` field for an event about `swarm`, or none when this client has no token. */
  async #tokenFor(swarm: string): Promise<{ token?: string }> {
    if (this.#token === undefined) return {}
    return { token: typeof this.#token === 'string' ? this.#token : await this.#token(swarm) }
  }

  async #request(
    event: string,
    send: (socket: ReturnType<TrackerSocket['timeout']>) => Promise<unknown>,
  ): Promise<Record<string, unknown>> {
    if (this.#closed) throw new ShoalError('ABORTED', `tracker client for ${this.url} is closed`)
    const disconnectsBefore = this.#disconnects
    let answer: unknown
    try {
      answer = await send(this.#socket.timeout(this.#requestTimeoutMs))
    } catch (err) {
      // emitWithAck rejects when the time is up, or at once when the connection drops after the
      // request went out (the answer can then never come).
      if (this.#disconnects !== disconnectsBefore) {
        throw new ShoalError('TRACKER_UNREACHABLE', `the connection to the tracker at ${this.url} dropped before it answered ${event}`, { cause: err })
      }
      const state = this.#socket.connected ? '' : ' (disconnected, reconnecting)'
      throw new ShoalError('TIMEOUT', `tracker ${this.url} did not answer ${event} within ${this.#requestTimeoutMs} ms${state}`, { cause: err })
    }
    return readAnswer(event, answer)
  }

  #connected(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    const socket = this.#socket
    return new Promise((resolve, reject) => {
      let lastError: Error | undefined
      const unreachable = () => {
        const detail = lastError ? `: ${lastError.message}` : ''
        return new ShoalError('TRACKER_UNREACHABLE', `could not reach the tracker at ${this.url}${detail}`)
      }
      const settle = (err?: ShoalError) => {
        clearTimeout(timer)
        socket.off('connect', onConnect)
        socket.off('connect_error', onConnectError)
        signal?.removeEventListener('abort', onAbort)
        if (err) reject(err)
        else resolve()
      }
      const onConnect = () => settle()
      let attempts = 0
      const onConnectError = (err: Error) => {
        lastError = err
        attempts++
        // Not active: the tracker refused outright and Socket.IO will not retry. A few failed
        // attempts in a row mean nothing listens there; waiting out the timeout only delays that news.
        if (!socket.active || attempts >= INITIAL_CONNECT_ATTEMPTS) settle(unreachable())
      }
      const onAbort = () => settle(new ShoalError('ABORTED', `connecting to the tracker at ${this.url} was cancelled`))
      const timer = setTimeout(() => settle(unreachable()), timeoutMs)
      if (signal?.aborted) return onAbort()
      signal?.addEventListener('abort', onAbort, { once: true })
      if (socket.connected) return onConnect()
      socket.on('connect', onConnect)
      socket.on('connect_error', onConnectError)
    })
  }
}

function parseTrackerUrl(url: string): URL {
  let target: URL
  try {
    target = new URL(url)
  } catch {
    throw new ShoalError('BAD_INPUT', `tracker URL ${url} is not an absolute URL`)
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(target.protocol)) {
    throw new ShoalError('BAD_INPUT', `tracker URL ${url} must start with http://, https://, ws:// or wss://`)
  }
  return target
}
