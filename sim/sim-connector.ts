/**
 * PeerConnector's behaviour, simulated: announce through the tracker's real handout policy (peers
 * with room first, each peer's room report reaching the tracker a latency after its count of
 * connections crosses MAX_PEERS) at join, on completion and every ANNOUNCE_INTERVAL_MS (sooner while the handout has run dry with
 * slots free, as NEED_PEERS_ANNOUNCE_MS says); dial what the connector's caps allow; an
 * offer reaches the callee through the tracker, a callee without room refuses (the refusal frees
 * the caller's slot two one-way latencies later, and the caller dials the next peer of its last
 * handout; so does the tracker's answer that the callee has left, a dial that opens, a
 * connection that closes and one that times out), and when both dial at once the lower peer id's
 * offer wins on both ends. Every granularity uses it: block and piece around
 * real Swarms (simulation.ts), flow around its model peers (flow-simulation.ts).
 */
import { CONNECT_TIMEOUT_MS, DIAL_TARGET, MAX_ACCEPTING, MAX_CONNECTING, MAX_PEERS, NEED_PEERS_ANNOUNCE_MS } from '../core/client/peer-connector.ts'
import type { Bitfield } from '../core/bitfield.ts'
import type { Clock } from '../core/clock.ts'
import { ANNOUNCE_INTERVAL_MS, type PeerInfo } from '../core/tracker-protocol.ts'
import { type HandoutCandidate, choosePeers } from '../signaling/peer-handout.ts'

/** Signaling through the tracker, offer to answer, then ICE and the channel opening: in one-way latencies. */
export const OFFER_LATENCIES = 2
export const OPEN_LATENCIES = 6

/** What the connector needs of a simulated peer. */
export interface Dialable {
  readonly id: string
  readonly left: boolean
  readonly verified: Bitfield
}

interface Attempt {
  open: boolean
  /** Our own dial, as opposed to an accepted offer: each kind has its own half-open cap. */
  initiator: boolean
}

interface Slots {
  /** Connections, open or being set up, by remote id. */
  links: Map<string, Attempt>
  /** The last handout, less the peers that refused or had left since: dialled again when either frees a slot. */
  handout: PeerInfo[]
  announceTimer?: unknown
  announceDueAt: number
  needPeersDelayMs: number
  /** Whether the peer last told the tracker it is full, and what the tracker believes (a latency later). */
  reportedFull: boolean
  trackerFull: boolean
}

export interface SimConnectorOptions<P extends Dialable> {
  clock: Clock
  /** Peers the tracker knows, by id. */
  online: ReadonlyMap<string, P>
  random: () => number
  latencyMs: number
  /** Whether `peer` may dial `remoteId` at all (the real connector skips peers its swarm banned). */
  mayDial?: (peer: P, remoteId: string) => boolean
  /** A connection opened between `a` (the caller) and `b`. */
  onOpen: (a: P, b: P) => void
}

export class SimConnector<P extends Dialable> {
  readonly #options: SimConnectorOptions<P>
  readonly #slots = new Map<P, Slots>()

  constructor(options: SimConnectorOptions<P>) {
    this.#options = options
  }

  /** The connector's announce: ask the tracker, dial what the caps allow, again every interval. */
  announce(peer: P): void {
    if (peer.left) return
    const { clock, online, random } = this.#options
    const slots = this.#slotsOf(peer)
    clock.clearTimeout(slots.announceTimer)
    const infos: HandoutCandidate[] = []
    for (const p of online.values()) infos.push({ peerId: p.id, pieces: p.verified.count, complete: p.verified.complete, full: this.#slots.get(p)?.trackerFull ?? false })
    slots.handout = choosePeers(infos, { exclude: peer.id, random })
    slots.announceDueAt = Infinity
    this.#dialHandout(peer, slots)
    if (slots.announceDueAt === Infinity) this.#scheduleAnnounce(peer, slots, ANNOUNCE_INTERVAL_MS)
  }

  #scheduleAnnounce(peer: P, slots: Slots, delayMs: number): void {
    const { clock } = this.#options
    clock.clearTimeout(slots.announceTimer)
    slots.announceDueAt = clock.now() + delayMs
    slots.announceTimer = clock.setTimeout(() => this.announce(peer), delayMs)
  }

  /** An open connection ended (either side left): its slot is free again. */
  closed(peer: P, remoteId: string): void {
    const slots = this.#slots.get(peer)
    if (!slots?.links.get(remoteId)?.open) return
    slots.links.delete(remoteId)
    this.#roomChanged(peer, slots)
    this.#skip(peer, slots, remoteId)
  }

  /** As PeerConnector: a peer tells the tracker when it fills up or has room again; the tracker knows a latency later. */
  #roomChanged(peer: P, slots: Slots): void {
    const full = slots.links.size >= MAX_PEERS
    if (full === slots.reportedFull || peer.left) return
    slots.reportedFull = full
    this.#options.clock.setTimeout(() => {
      slots.trackerFull = full
    }, this.#options.latencyMs)
  }

  leave(peer: P): void {
    const slots = this.#slots.get(peer)
    if (slots) this.#options.clock.clearTimeout(slots.announceTimer)
    this.#slots.delete(peer)
  }

  #slotsOf(peer: P): Slots {
    let slots = this.#slots.get(peer)
    if (!slots) this.#slots.set(peer, (slots = { links: new Map(), handout: [], announceDueAt: Infinity, needPeersDelayMs: NEED_PEERS_ANNOUNCE_MS, reportedFull: false, trackerFull: false }))
    return slots
  }

  #dialHandout(peer: P, slots: Slots): void {
    const { mayDial } = this.#options
    let untried = 0
    for (const info of slots.handout) {
      if (info.complete && peer.verified.complete) continue
      this.#dial(peer, info.peerId)
      if (!slots.links.has(info.peerId) && (!mayDial || mayDial(peer, info.peerId))) untried++
    }
    if (untried === 0 && slots.links.size < DIAL_TARGET) this.#announceSoon(peer, slots)
  }

  #announceSoon(peer: P, slots: Slots): void {
    const delay = Math.min(slots.needPeersDelayMs, ANNOUNCE_INTERVAL_MS)
    if (peer.left || slots.announceDueAt <= this.#options.clock.now() + delay) return
    slots.needPeersDelayMs = Math.min(2 * delay, ANNOUNCE_INTERVAL_MS)
    this.#scheduleAnnounce(peer, slots, delay)
  }

  // As PeerConnector's caps: own dials up to DIAL_TARGET connections, offers up to MAX_PEERS, and half-open dials and offers capped apart.
  #hasRoom(links: Map<string, Attempt>, initiator: boolean): boolean {
    if (links.size >= (initiator ? DIAL_TARGET : MAX_PEERS)) return false
    let halfOpen = 0
    for (const attempt of links.values()) if (!attempt.open && attempt.initiator === initiator) halfOpen++
    return halfOpen < (initiator ? MAX_CONNECTING : MAX_ACCEPTING)
  }

  /** Ends a connection attempt that never opened, releasing its slot. */
  #abandon(peer: P, links: Map<string, Attempt>, remoteId: string, attempt: Attempt): void {
    if (links.get(remoteId) !== attempt || attempt.open) return
    links.delete(remoteId)
    this.#roomChanged(peer, this.#slotsOf(peer))
  }

  #open(peer: P, remoteId: string, initiator: boolean): Attempt {
    const slots = this.#slotsOf(peer)
    const attempt: Attempt = { open: false, initiator }
    slots.links.set(remoteId, attempt)
    this.#roomChanged(peer, slots)
    this.#options.clock.setTimeout(() => {
      if (slots.links.get(remoteId) !== attempt || attempt.open) return
      this.#abandon(peer, slots.links, remoteId, attempt)
      this.#skip(peer, slots, remoteId)
    }, CONNECT_TIMEOUT_MS)
    return attempt
  }

  /** Leaves `remoteId` out of the handout until the next announce and gives its slot to the next peer. */
  #skip(peer: P, slots: Slots, remoteId: string): void {
    if (peer.left) return
    slots.handout = slots.handout.filter((info) => info.peerId !== remoteId)
    this.#dialHandout(peer, slots)
  }

  #dial(a: P, bId: string): void {
    const { clock, online, latencyMs, onOpen, mayDial } = this.#options
    const slots = this.#slotsOf(a)
    const mine = slots.links
    if (mine.has(bId) || !this.#hasRoom(mine, true) || (mayDial && !mayDial(a, bId))) return
    const attempt = this.#open(a, bId, true)
    // A refusal, or the tracker's answer that the callee has left, frees the slot for the next peer.
    const turnedAway = () => {
      if (a.left || mine.get(bId) !== attempt) return
      this.#abandon(a, mine, bId, attempt)
      this.#skip(a, slots, bId)
    }
    clock.setTimeout(() => {
      const b = online.get(bId)
      if (!b) return turnedAway()
      if (a.left || mine.get(bId) !== attempt) return
      const theirs = this.#slotsOf(b).links
      const existing = theirs.get(a.id)
      if (existing && !existing.open && existing.initiator) {
        if (b.id < a.id) return
        this.#abandon(b, theirs, a.id, existing)
      } else if (existing) return
      if (!this.#hasRoom(theirs, false)) {
        clock.setTimeout(turnedAway, OFFER_LATENCIES * latencyMs)
        return
      }
      const answer = this.#open(b, a.id, false)
      clock.setTimeout(() => {
        if (a.left || b.left || mine.get(b.id) !== attempt || theirs.get(a.id) !== answer) return
        attempt.open = answer.open = true
        slots.needPeersDelayMs = this.#slotsOf(b).needPeersDelayMs = NEED_PEERS_ANNOUNCE_MS
        onOpen(a, b)
        // A half-open slot freed on each side: each dials the next peer of its handout.
        this.#dialHandout(a, slots)
        this.#dialHandout(b, this.#slotsOf(b))
      }, (OPEN_LATENCIES - OFFER_LATENCIES) * latencyMs)
    }, OFFER_LATENCIES * latencyMs)
  }
}
