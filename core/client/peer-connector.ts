/**
 * Turns tracker announces and relayed signals into WebRTC connections (simple-peer) and hands
 * each connected channel to the Swarm. One connection per remote peer; a cap on live and on
 * half-open connections; announces repeat so new peers keep being found.
 */
import SimplePeer from 'simple-peer'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import { Emitter } from '../emitter.ts'
import { ShoalError } from '../errors.ts'
import type { Swarm } from '../swarm.ts'
import { ANNOUNCE_INTERVAL_MS, MAX_STATS_NEIGHBOURS, STATS_INTERVAL_MS } from '../tracker-protocol.ts'
import type { Announce, PeerInfo, StatsReport } from '../tracker-protocol.ts'
import { SimplePeerTransport } from './simple-peer-transport.ts'

/** What the connector needs from the tracker client. */
export interface SignalingChannel {
  announce(body: Announce): Promise<PeerInfo[]>
  leave(swarm: string): Promise<void>
  signal(swarm: string, to: string, data: unknown): Promise<void>
  onSignal(listener: (message: { swarm: string; from: string; data: unknown }) => void): () => void
  onReconnect(listener: () => void): () => void
  /** Traffic reports for the tracker's dashboard, fire and forget; a channel without it sends none. */
  reportStats?(report: StatsReport): void
}

export interface PeerConnectorOptions {
  signaling: SignalingChannel
  swarm: Swarm
  swarmId: string
  peerId: string
  /** The WebRTC implementation for Node (@roamhq/wrtc); browsers use their own. */
  wrtc?: unknown
  iceServers?: { urls: string | string[]; username?: string; credential?: string }[]
  maxPeers?: number
  maxConnecting?: number
  connectTimeoutMs?: number
  announceIntervalMs?: number
  /** How often traffic is reported to the tracker (see STATS_INTERVAL_MS). */
  statsIntervalMs?: number
  clock?: Clock
}

export const MAX_PEERS = 24
export const MAX_CONNECTING = 8
export const CONNECT_TIMEOUT_MS = 20_000

interface Connection {
  peer: SimplePeer.Instance
  initiator: boolean
  connected: boolean
  timer: unknown
}

export interface PeerConnectorEvents {
  /** A recoverable problem: a failed announce, a connection that never opened. */
  warning: [error: ShoalError]
  announced: [peers: PeerInfo[]]
}

export class PeerConnector extends Emitter<PeerConnectorEvents> {
  readonly #options: PeerConnectorOptions
  readonly #clock: Clock
  readonly #connections = new Map<string, Connection>()
  readonly #unsubscribe: (() => void)[] = []
  #announceTimer: unknown
  #statsTimer: unknown
  #stopped = false

  constructor(options: PeerConnectorOptions) {
    super()
    this.#options = options
    this.#clock = options.clock ?? systemClock
  }

  get connecting(): number {
    return [...this.#connections.values()].filter((c) => !c.connected).length
  }

  /** Subscribes to signals and announces; resolves after the first announce answered. */
  async start(): Promise<PeerInfo[]> {
    const { signaling, swarm } = this.#options
    this.#unsubscribe.push(
      signaling.onSignal((message) => this.#onSignal(message)),
      signaling.onReconnect(() => void this.announce()),
      swarm.on('complete', () => void this.announce()),
    )
    const peers = await this.#announceOnce()
    this.#scheduleAnnounce()
    this.#scheduleStats()
    return peers
  }

  /** Announces now (progress update) and connects to new peers while below the caps. */
  async announce(): Promise<void> {
    try {
      await this.#announceOnce()
    } catch (err) {
      this.emit('warning', err instanceof ShoalError ? err : new ShoalError('TRACKER_ERROR', String(err)))
    }
  }

  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    this.#clock.clearTimeout(this.#announceTimer)
    this.#clock.clearTimeout(this.#statsTimer)
    for (const off of this.#unsubscribe) off()
    for (const [id, connection] of this.#connections) this.#drop(id, connection)
    await this.#options.signaling.leave(this.#options.swarmId).catch(() => undefined)
  }

  async #announceOnce(): Promise<PeerInfo[]> {
    const { signaling, swarm, swarmId, peerId } = this.#options
    const stats = swarm.stats()
    const peers = await signaling.announce({ swarm: swarmId, peerId, pieces: stats.verifiedPieces, complete: stats.complete })
    this.emit('announced', peers)
    for (const info of peers) {
      // Two seeders have nothing to trade.
      if (info.complete && swarm.complete) continue
      this.#connect(info.peerId)
    }
    return peers
  }

  #scheduleAnnounce(): void {
    this.#announceTimer = this.#clock.setTimeout(() => {
      if (this.#stopped) return
      void this.announce().finally(() => this.#scheduleAnnounce())
    }, this.#options.announceIntervalMs ?? ANNOUNCE_INTERVAL_MS)
  }

  #scheduleStats(): void {
    const { signaling } = this.#options
    if (!signaling.reportStats) return
    this.#statsTimer = this.#clock.setTimeout(() => {
      if (this.#stopped) return
      signaling.reportStats?.(this.#statsReport())
      this.#scheduleStats()
    }, this.#options.statsIntervalMs ?? STATS_INTERVAL_MS)
  }

  #statsReport(): StatsReport {
    const { swarm, swarmId } = this.#options
    const stats = swarm.stats()
    const neighbours = swarm
      .peerStats()
      .sort((a, b) => b.uploadRate + b.downloadRate - (a.uploadRate + a.downloadRate))
      .slice(0, MAX_STATS_NEIGHBOURS)
      .map((p) => ({ peerId: p.peerId, up: Math.round(p.uploadRate), down: Math.round(p.downloadRate) }))
    return {
      swarm: swarmId,
      verifiedBytes: stats.verifiedBytes,
      size: stats.size,
      complete: stats.complete,
      uploaded: stats.uploadedBytes,
      downloaded: stats.downloadedBytes,
      uploadRate: Math.round(stats.uploadRate),
      downloadRate: Math.round(stats.downloadRate),
      neighbours,
    }
  }

  #hasRoom(): boolean {
    const { maxPeers = MAX_PEERS, maxConnecting = MAX_CONNECTING } = this.#options
    return this.#connections.size < maxPeers && this.connecting < maxConnecting
  }

  #connect(remoteId: string): void {
    if (this.#stopped || remoteId === this.#options.peerId || this.#connections.has(remoteId)) return
    if (this.#options.swarm.isBanned(remoteId) || !this.#hasRoom()) return
    this.#open(remoteId, true)
  }

  #onSignal(message: { swarm: string; from: string; data: unknown }): void {
    const { swarmId, peerId, swarm } = this.#options
    if (this.#stopped || message.swarm !== swarmId || swarm.isBanned(message.from)) return
    const isOffer = isSignalOfType(message.data, 'offer')
    const existing = this.#connections.get(message.from)
    if (existing && isOffer && existing.initiator && !existing.connected) {
      // Both sides dialled at once: the lower peer id's offer wins on both ends.
      if (peerId < message.from) return
      this.#drop(message.from, existing)
    } else if (existing) {
      existing.peer.signal(message.data as SimplePeer.SignalData)
      return
    }
    if (!isOffer || !this.#hasRoom()) return
    this.#open(message.from, false).peer.signal(message.data as SimplePeer.SignalData)
  }

  #open(remoteId: string, initiator: boolean): Connection {
    const { wrtc, iceServers = [], signaling, swarmId, swarm } = this.#options
    const peer = new SimplePeer({
      initiator,
      trickle: true,
      wrtc: wrtc as SimplePeer.Options['wrtc'],
      config: { iceServers },
    })
    const connection: Connection = { peer, initiator, connected: false, timer: undefined }
    this.#connections.set(remoteId, connection)
    connection.timer = this.#clock.setTimeout(() => {
      if (connection.connected) return
      this.emit('warning', new ShoalError('TIMEOUT', `WebRTC connection to peer ${remoteId} did not open`))
      this.#drop(remoteId, connection)
    }, this.#options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS)
    peer.on('signal', (data) => {
      signaling.signal(swarmId, remoteId, data).catch((err: unknown) => {
        this.emit('warning', err instanceof ShoalError ? err : new ShoalError('TRACKER_ERROR', String(err)))
      })
    })
    peer.once('connect', () => {
      connection.connected = true
      this.#clock.clearTimeout(connection.timer)
      swarm.addPeer(new SimplePeerTransport(peer), remoteId)
    })
    peer.once('close', () => this.#forget(remoteId, connection))
    // Errors end in 'close'; the listener keeps simple-peer from throwing them.
    peer.on('error', () => this.#forget(remoteId, connection))
    return connection
  }

  #drop(remoteId: string, connection: Connection): void {
    this.#forget(remoteId, connection)
    connection.peer.destroy()
  }

  /** Releases a slot promptly: browsers refuse new connections past a few hundred live ones. */
  #forget(remoteId: string, connection: Connection): void {
    this.#clock.clearTimeout(connection.timer)
    if (this.#connections.get(remoteId) === connection) this.#connections.delete(remoteId)
  }
}

function isSignalOfType(data: unknown, type: string): boolean {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === type
}
