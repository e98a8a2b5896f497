/**
 * Turns tracker announces and relayed signals into WebRTC connections (simple-peer) and hands
 * each connected channel to the Swarm. One connection per remote peer; a cap on live and on
 * half-open connections; an offer it has no room for is refused out loud; announces repeat so
 * new peers keep being found; the tracker is told when the connector fills up or has room again.
 */
import SimplePeer from 'simple-peer'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import { Emitter } from '../emitter.ts'
import { isShoalError, ShoalError } from '../errors.ts'
import type { Swarm } from '../swarm.ts'
import { ANNOUNCE_INTERVAL_MS, MAX_STATS_NEIGHBOURS, STATS_INTERVAL_MS } from '../tracker-protocol.ts'
import type { Announce, PeerInfo, RoomReport, StatsReport } from '../tracker-protocol.ts'
import { RoomReports } from './room-reports.ts'
import { SimplePeerTransport } from './simple-peer-transport.ts'

/** What the connector needs from the tracker client. */
export interface SignalingChannel {
  announce(body: Announce): Promise<PeerInfo[]>
  leave(swarm: string): Promise<void>
  /** Whether this peer has room for another connection; sent when that changes between announces. */
  room(body: RoomReport): Promise<void>
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
  /** Own dials stop at this many connections (see DIAL_TARGET); offers are accepted up to maxPeers. */
  dialTarget?: number
  /** Own dials being set up at once. */
  maxConnecting?: number
  /** Offers from others being set up at once; 2 x maxConnecting unless given (see MAX_ACCEPTING). */
  maxAccepting?: number
  connectTimeoutMs?: number
  announceIntervalMs?: number
  /** How often traffic is reported to the tracker (see STATS_INTERVAL_MS). */
  statsIntervalMs?: number
  clock?: Clock
}

export const MAX_PEERS = 24
/**
 * A peer dials until it has this many connections and accepts offers up to MAX_PEERS. The gap is
 * room kept for newcomers: when everyone dials up to the cap, a big swarm fills up and a peer
 * that joins late is turned away by nearly everyone it dials (the simulator, 1000 peers: a
 * newcomer a second into the run had no connection for 0.3 s).
 */
export const DIAL_TARGET = 16
export const MAX_CONNECTING = 8
/**
 * Incoming offers being set up at once, apart from our own dials. More generous than
 * MAX_CONNECTING because accepting costs the callee little (one answer, its own ICE) while
 * refusing costs the swarm a lot: when many peers join within a second, everyone's dial slots
 * fill with their own offers, and under one shared cap every newcomer is turned away by everyone.
 * Counted separately so a burst of offers cannot starve our own dials either. MAX_PEERS still
 * bounds live plus half-open connections together, so a flood of offers costs at most that.
 */
export const MAX_ACCEPTING = 2 * MAX_CONNECTING
export const CONNECT_TIMEOUT_MS = 20_000
/**
 * With room for more connections and nobody left in the handout to dial (all refused, left or
 * already connected), the next announce comes this soon, doubling each time up to the announce
 * interval, rather than a whole interval later: a peer that joins a busy swarm, or a seeder whose
 * neighbours have all finished, finds the peers that have room since. Reset when a connection opens.
 */
export const NEED_PEERS_ANNOUNCE_MS = 1_000

/**
 * The answer, through the tracker, to an offer the callee has no room for. Without it the caller
 * holds a half-open slot until CONNECT_TIMEOUT_MS, and in a join burst those held slots make the
 * callers turn offers away in turn. Sent only in answer to an offer, never to candidates, so it
 * is at most one small message per offer received.
 */
export const REFUSE_SIGNAL = { type: 'refuse' } as const

interface Connection {
  peer: SimplePeer.Instance
  initiator: boolean
  connected: boolean
  timer: unknown
}

export interface PeerConnectorEvents {
  /** A recoverable problem: a failed announce or room report, a connection that never opened. */
  warning: [error: ShoalError]
  announced: [peers: PeerInfo[]]
  /** A peer we dialled had no room and said so; the attempt is dropped and its slot free again. Normal in a busy swarm. */
  refused: [peerId: string]
}

export class PeerConnector extends Emitter<PeerConnectorEvents> {
  readonly #options: PeerConnectorOptions
  readonly #clock: Clock
  readonly #connections = new Map<string, Connection>()
  readonly #unsubscribe: (() => void)[] = []
  /** The last announce's peers, less those that refused us since: whom to dial when a slot frees. */
  #handout: PeerInfo[] = []
  #announceTimer: unknown
  /** When the announce timer fires (Infinity while a timed announce runs). */
  #announceDueAt = Infinity
  #needPeersDelayMs = NEED_PEERS_ANNOUNCE_MS
  #statsTimer: unknown
  readonly #room: RoomReports
  #stopped = false

  constructor(options: PeerConnectorOptions) {
    super()
    this.#options = options
    this.#clock = options.clock ?? systemClock
    this.#room = new RoomReports({
      swarmId: options.swarmId,
      send: (body) => options.signaling.room(body),
      full: () => this.#full(),
      onError: (err) => this.#warn(err),
    })
  }

  /** Connections being set up, own dials and accepted offers together. */
  get connecting(): number {
    return [...this.#connections.values()].filter((c) => !c.connected).length
  }

  #halfOpen(initiator: boolean): number {
    let count = 0
    for (const c of this.#connections.values()) if (!c.connected && c.initiator === initiator) count++
    return count
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
    // Unless a handout that ran dry already brought the next announce forward.
    if (this.#announceDueAt === Infinity) this.#scheduleAnnounce()
    this.#scheduleStats()
    return peers
  }

  /** Announces now (progress update) and connects to new peers while below the caps. */
  async announce(): Promise<void> {
    try {
      await this.#announceOnce()
    } catch (err) {
      this.#warn(err)
    }
  }

  /**
   * Stops dialling and answering, abandons connections still being set up and leaves the swarm at
   * the tracker. Open connections belong to the swarm's sessions: Swarm.destroy() closes them,
   * each after a goodbye (closing them here, unannounced, is what crashes Node's wrtc; see PeerSession).
   */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    this.#room.stop()
    this.#clock.clearTimeout(this.#announceTimer)
    this.#clock.clearTimeout(this.#statsTimer)
    for (const off of this.#unsubscribe) off()
    for (const [id, connection] of this.#connections) if (!connection.connected) this.#drop(id, connection)
    await this.#options.signaling.leave(this.#options.swarmId).catch(() => undefined)
  }

  async #announceOnce(): Promise<PeerInfo[]> {
    const { signaling, swarm, swarmId, peerId } = this.#options
    const stats = swarm.stats()
    const full = this.#full()
    const peers = await signaling.announce({ swarm: swarmId, peerId, pieces: stats.verifiedPieces, complete: stats.complete, full })
    this.emit('announced', peers)
    this.#handout = peers
    this.#dialHandout()
    this.#room.announced(full)
    return peers
  }

  /** No room for another connection: as many open or being set up as offers are accepted up to (the caps' own count). */
  #full(): boolean {
    return this.#connections.size >= (this.#options.maxPeers ?? MAX_PEERS)
  }

  /** Dials peers from the last handout while the caps allow; if it has run dry with room left, announces again soon. */
  #dialHandout(): void {
    const { swarm } = this.#options
    let untried = 0
    for (const info of this.#handout) {
      // Two seeders have nothing to trade.
      if ((info.complete && swarm.complete) || !this.#mayDial(info.peerId)) continue
      if (this.#hasRoom(true)) this.#open(info.peerId, true)
      else untried++
    }
    if (untried === 0 && this.#connections.size < this.#dialLimit()) this.#announceSoon()
  }

  /** Not ourselves, not connected or being connected already, not banned. */
  #mayDial(remoteId: string): boolean {
    const { peerId, swarm } = this.#options
    return !this.#stopped && remoteId !== peerId && !this.#connections.has(remoteId) && !swarm.isBanned(remoteId)
  }

  /** Brings the next announce forward to NEED_PEERS_ANNOUNCE_MS (doubling each time) unless it is due sooner. */
  #announceSoon(): void {
    const interval = this.#options.announceIntervalMs ?? ANNOUNCE_INTERVAL_MS
    const delay = Math.min(this.#needPeersDelayMs, interval)
    if (this.#stopped || this.#announceDueAt <= this.#clock.now() + delay) return
    this.#needPeersDelayMs = Math.min(2 * delay, interval)
    this.#scheduleAnnounce(delay)
  }

  /** Leaves a peer out of the handout until the next announce. */
  #skip(remoteId: string): void {
    this.#handout = this.#handout.filter((info) => info.peerId !== remoteId)
  }

  #scheduleAnnounce(delayMs = this.#options.announceIntervalMs ?? ANNOUNCE_INTERVAL_MS): void {
    this.#clock.clearTimeout(this.#announceTimer)
    this.#announceDueAt = this.#clock.now() + delayMs
    this.#announceTimer = this.#clock.setTimeout(() => {
      if (this.#stopped) return
      this.#announceDueAt = Infinity
      // Unless the announce itself brought the next one forward, the next is an interval away.
      void this.announce().finally(() => {
        if (this.#announceDueAt === Infinity) this.#scheduleAnnounce()
      })
    }, delayMs)
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

  /** How many connections our own dials may bring us to. */
  #dialLimit(): number {
    const { maxPeers = MAX_PEERS, dialTarget = DIAL_TARGET } = this.#options
    return Math.min(dialTarget, maxPeers)
  }

  /** Room for one more connection: own dial (`initiator`) or accepted offer, each with its own caps. */
  #hasRoom(initiator: boolean): boolean {
    const { maxPeers = MAX_PEERS, maxConnecting = MAX_CONNECTING, maxAccepting = 2 * maxConnecting } = this.#options
    const limit = initiator ? this.#dialLimit() : maxPeers
    return this.#connections.size < limit && this.#halfOpen(initiator) < (initiator ? maxConnecting : maxAccepting)
  }

  #onSignal(message: { swarm: string; from: string; data: unknown }): void {
    const { swarmId, peerId, swarm, signaling } = this.#options
    if (this.#stopped || message.swarm !== swarmId || swarm.isBanned(message.from)) return
    const existing = this.#connections.get(message.from)
    if (isSignalOfType(message.data, REFUSE_SIGNAL.type)) {
      // Only our own pending dial can be refused: a refusal must never end a live connection or
      // one the sender itself asked for (and simple-peer would destroy a peer given it as data).
      if (existing?.initiator && !existing.connected) {
        this.#drop(message.from, existing)
        this.emit('refused', message.from)
        // The freed slot goes to the next peer of the last handout, not to the next announce
        // (seconds away): a newcomer whose first dials are all refused would otherwise sit idle.
        // The refuser is skipped until then, so refusals cannot bounce back and forth.
        this.#skip(message.from)
        this.#dialHandout()
      }
      return
    }
    const isOffer = isSignalOfType(message.data, 'offer')
    if (existing && isOffer && existing.initiator && !existing.connected) {
      // Both sides dialled at once: the lower peer id's offer wins on both ends.
      if (peerId < message.from) return
      this.#drop(message.from, existing)
    } else if (existing) {
      existing.peer.signal(message.data as SimplePeer.SignalData)
      return
    }
    if (!isOffer) return
    if (!this.#hasRoom(false)) {
      // Best effort: if it is lost (the caller left, the tracker hiccuped) the caller times out as before.
      signaling.signal(swarmId, message.from, REFUSE_SIGNAL).catch(() => undefined)
      return
    }
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
    this.#room.update()
    connection.timer = this.#clock.setTimeout(() => {
      if (connection.connected) return
      this.emit('warning', new ShoalError('TIMEOUT', `WebRTC connection to peer ${remoteId} did not open`))
      this.#drop(remoteId, connection)
      this.#skip(remoteId)
      this.#dialHandout()
    }, this.#options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS)
    peer.on('signal', (data) => {
      signaling.signal(swarmId, remoteId, data).catch((err: unknown) => {
        // An offer the tracker could not deliver (the peer left since the handout) can never be
        // answered: the slot goes to the next peer now rather than at the connect timeout.
        if (isShoalError(err, 'NOT_FOUND') && data.type === 'offer') {
          this.#drop(remoteId, connection)
          this.#skip(remoteId)
          this.#dialHandout()
        }
        this.#warn(err)
      })
    })
    peer.once('connect', () => {
      connection.connected = true
      this.#clock.clearTimeout(connection.timer)
      swarm.addPeer(new SimplePeerTransport(peer), remoteId)
      this.#needPeersDelayMs = NEED_PEERS_ANNOUNCE_MS
      // A half-open slot is free: the next peer of the handout is dialled now, not at the next
      // announce (seconds away), or a newcomer would stay at maxConnecting neighbours until then.
      this.#dialHandout()
    })
    peer.once('close', () => this.#closed(remoteId, connection))
    // Errors end in 'close'; the listener keeps simple-peer from throwing them.
    peer.on('error', () => this.#closed(remoteId, connection))
    return connection
  }

  #drop(remoteId: string, connection: Connection): void {
    this.#forget(remoteId, connection)
    connection.peer.destroy()
  }

  /**
   * A connection ended or failed on its own: its slot goes to the next peer of the handout. The
   * peer it was with is left out until the next announce (it may have left, or closed on us).
   */
  #closed(remoteId: string, connection: Connection): void {
    if (this.#connections.get(remoteId) !== connection) return
    this.#forget(remoteId, connection)
    this.#skip(remoteId)
    this.#dialHandout()
  }

  /** Releases a slot promptly: browsers refuse new connections past a few hundred live ones. */
  #forget(remoteId: string, connection: Connection): void {
    this.#clock.clearTimeout(connection.timer)
    if (this.#connections.get(remoteId) === connection) this.#connections.delete(remoteId)
    this.#room.update()
  }

  #warn(err: unknown): void {
    this.emit('warning', err instanceof ShoalError ? err : new ShoalError('TRACKER_ERROR', String(err)))
  }
}

function isSignalOfType(data: unknown, type: string): boolean {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === type
}
