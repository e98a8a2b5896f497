/**
 * One peer of the flow model: core/swarm.ts's scheduling, mirrored at chunk granularity with the
 * engine's own policies. Per neighbour it keeps a pipeline of requests sized as Swarm sizes it
 * (neighbourPipelineDepth() over a RateMeter, a DeliveryRate and the round trip), topped up a
 * quarter pipeline at a time;
 * rarest first, random first and endgame (flow-picker.ts, checked against core/picker.ts) choose
 * pieces against FetchBook's rules and an availability count; an origin (a peer that came with
 * the whole file) admits requests through the real DistinctFirstPolicy and a refused piece is
 * not asked of that neighbour again for REFUSE_MS. Requests, rejects and haves wait behind the data queued on
 * their connection, as frames do. A piece is announced ANNOUNCE_AHEAD_MS before its last chunk
 * arrives (core/early-haves.ts), requests for it held until it has: the engine judges "due" from
 * the sender's rate as blocks arrive, the model from the arrival time it knows once the last
 * chunk has left the sender (so never earlier than one latency ahead). What it leaves out: bytes,
 * hashing and the wire format, request deadlines and bans (no peer in the simulation stalls or lies).
 */
import { Bitfield } from '../core/bitfield.ts'
import { DeliveryRate } from '../core/delivery-rate.ts'
import { DistinctFirstPolicy } from '../core/distinct-first.ts'
import { ANNOUNCE_AHEAD_MS } from '../core/early-haves.ts'
import { PieceOffers } from '../core/piece-offers.ts'
import { maxPipelineBlocks, neighbourPipelineDepth } from '../core/pipeline.ts'
import { RateMeter } from '../core/rate-meter.ts'
import { MAX_BLOCK_SIZE } from '../core/wire.ts'
import type { BitRows } from './bit-rows.ts'
import type { EventQueue } from './event-queue.ts'
import { type FlowHost, FlowPipe, type PipeItem } from './flow-network.ts'
import { type FlowPickInput, pickEndgamePieceFast, pickPieceFast } from './flow-picker.ts'
import { Ring } from './ring.ts'

/** As core/swarm.ts: how long a refused piece is not asked of that neighbour again, and the fill tick. */
const REFUSE_MS = 5_000
const TICK_MS = 500

/** Swarm.#fill tops up only below depth - depth/4, which is at most this for any depth with this many neighbours: above it, skip computing the depth. */
function neverTopUpAbove(neighbours: number): number {
  const max = maxPipelineBlocks(neighbours)
  return max - Math.floor(max / 4)
}

/** The file as the flow model sees it: piece geometry and the transfer unit. */
export interface FlowFile {
  size: number
  pieceSize: number
  pieces: number
  /** Blocks (of MAX_BLOCK_SIZE, the engine's request size) per chunk, the unit moved and requested. */
  chunkBlocks: number
  /** All zeros, never written: the refusal times of every neighbour that has refused nothing yet. */
  neverRefused: Float32Array
  /** Every connection's view of its neighbour's pieces, one row each (FlowEnd.remoteAt). */
  remotes: BitRows
  /** initialPipelineBlocks() for this file, as Swarm's FetchScheduler computes it. */
  initialPipelineBlocks: number
  /** Origins super-seed (SwarmOptions.superSeed). */
  superSeed: boolean
}

/** One piece being fetched from one neighbour, counted in blocks. */
interface Fetch {
  piece: number
  total: number
  requested: number
  received: number
}

/**
 * This peer's side of a connection: its direction of the connection (the pipe it sends on) and
 * what it knows of the neighbour and fetches from it. It is the pipe rather than holding one: the
 * hot loops ask every neighbour's pipe whether something waits on it, once per piece verified,
 * and one object less to reach there is one cache miss less.
 */
export class FlowEnd extends FlowPipe {
  /**
   * The neighbour's pieces, as its bitfield and haves have told us: a row of file.remotes. It holds
   * the bitfield from the moment the connection opens, though the bitfield arrives a latency later:
   * nothing reads it before `ready`, and haves that come earlier are dropped, as before.
   */
  readonly remoteAt: number
  /** How many pieces that row holds. */
  remoteCount: number
  /** The neighbour's bitfield has arrived, and the connection is open (closing clears it). */
  ready = false
  /** Blocks requested from the neighbour and not yet received (or given up). */
  outstanding = 0
  /**
   * The last fill left the pipeline deep enough. Until `outstanding` falls (a chunk, a release),
   * another fill would do nothing (the depth only grows when a chunk is recorded), so it is skipped.
   */
  settled = false
  /** Bumped when the neighbour gains a piece we lack: a pick that found nothing may now find something. */
  gained = 0
  /** The state in which a pick last found nothing here (see FlowPeer.#nothingToPick). */
  idle: { changes: number; gained: number; until: number } | undefined
  // The fields above are what a `have` reads (30 M of them in a big run), declared first so they
  // sit together in the object.
  readonly fetches = new Map<number, Fetch>()
  /** Until when (virtual ms) each piece is not to be asked of this neighbour; allocated at the first refusal. */
  refusedUntil: Float32Array
  readonly received: RateMeter
  /** What it delivered over a recent window (with `received`, as Swarm sizes pipelines). */
  readonly delivered: DeliveryRate
  /** Shortest request-to-chunk time seen, as PeerSession.minLatencyMs. */
  minLatencyMs = Infinity
  /** The neighbour's end of this connection. */
  mirror!: FlowEnd
  /** This peer's connections opened before this one (FlowPeer.endsOpened then). */
  readonly serial: number

  constructor(
    readonly self: FlowPeer,
    readonly other: FlowPeer,
    latencyMs: number,
  ) {
    super(self.host, other.host, latencyMs)
    this.serial = self.endsOpened++
    // A super-seeding origin's bitfield is empty, its offers filled in by connect().
    const offering = other.offers !== undefined && !other.offers.revealed
    this.remoteAt = self.file.remotes.add(offering ? undefined : other.have.bytes)
    this.remoteCount = offering ? 0 : other.have.count
    this.refusedUntil = self.file.neverRefused
    this.received = new RateMeter(self.queue)
    this.delivered = new DeliveryRate(self.queue)
  }

  /** Whether the neighbour holds `piece`, as far as we know (DistinctFirstPolicy reads this). */
  has(piece: number): boolean {
    return this.self.file.remotes.has(this.remoteAt, piece)
  }

  get remoteComplete(): boolean {
    return this.remoteCount === this.self.file.pieces
  }

  /** A closed end is never ready, so the have path reads `ready` alone. */
  override close(): void {
    super.close()
    this.ready = false
  }
}

/** Adds `delta` to the count of every piece the neighbour holds, a byte at a time (a connection's bitfield covers every piece). */
function countPieces(end: FlowEnd, counts: Uint16Array, delta: number): void {
  const { bytes, rowBytes } = end.self.file.remotes
  const at = end.remoteAt
  for (let byte = 0; byte < rowBytes; byte++) {
    const b = bytes[at + byte]!
    if (b === 0) continue
    for (let bit = 0; bit < 8; bit++) if ((b & (0x80 >> bit)) !== 0) counts[byte * 8 + bit]! += delta
  }
}

/** #verified's scratch list of the neighbours a have goes to at once (used and reused synchronously). */
const idleEnds: FlowEnd[] = []

function hasUnrequested(end: FlowEnd): boolean {
  for (const fetch of end.fetches.values()) if (fetch.requested < fetch.total) return true
  return false
}

/**
 * `have`s on their way to the neighbour whose end `to` is. Haves queued right behind one another
 * on a pipe leave in the same turn and arrive in order, so they share one item (a big run queues
 * millions of them).
 */
class Haves implements PipeItem {
  readonly bytes = 0
  readonly pieces: number[]

  constructor(
    readonly to: FlowEnd,
    piece: number,
  ) {
    this.pieces = [piece]
  }

  deliver(): void {
    const { to, pieces } = this
    for (let i = 0; i < pieces.length; i++) to.self.onHave(to, pieces[i]!)
  }
}

/** A request for part of a piece, then (admitted) the data itself on its way back. */
class Chunk implements PipeItem {
  constructor(
    /** The requester's end of the connection. */
    readonly to: FlowEnd,
    readonly fetch: Fetch,
    readonly blocks: number,
    readonly bytes: number,
    readonly requestedAt: number,
  ) {}

  deliver(): void {
    this.to.self.onChunk(this.to, this)
  }

  departed(arrivesAt: number): void {
    const { fetch } = this
    // The piece's last chunk still to come: the piece is whole when it lands.
    if (fetch.requested === fetch.total && fetch.received + this.blocks === fetch.total) this.to.self.dueAt(this.to, fetch, arrivesAt)
  }
}

/** Requests on their way to the uploader, whose end `to` is. */
class Requests implements PipeItem {
  readonly bytes = 0

  constructor(
    readonly to: FlowEnd,
    readonly requests: Chunk[],
  ) {}

  deliver(): void {
    this.to.self.onRequests(this.to, this.requests)
  }
}

/** Refusals on their way back to the downloader, whose end `to` is. */
class Rejects implements PipeItem {
  readonly bytes = 0

  constructor(
    readonly to: FlowEnd,
    readonly requests: Chunk[],
  ) {}

  deliver(): void {
    this.to.self.onReject(this.to, this.requests)
  }
}

export class FlowPeer {
  readonly have: Bitfield
  /** Neighbours holding each piece (16 bits: a peer has at most MAX_PEERS, and a big run reads it for every have). */
  readonly availability: Uint16Array
  /**
   * FetchBook's bookkeeping in a typed array, since a pick consults it for nearly every piece:
   * how many neighbours each piece is being fetched from. Verification takes no virtual time
   * here, so no piece is ever "verifying".
   */
  readonly #fetchers: Uint8Array
  /** Pieces with fetchers > 0. */
  #inFlight = 0
  /** The picker's inputs, built once (a pick runs for every piece started): set the neighbour's fields and `now`, then pick. */
  readonly #pick: FlowPickInput
  readonly distinctFirst: DistinctFirstPolicy | undefined
  readonly offers: PieceOffers<FlowEnd> | undefined
  /** Open connections, in the order they opened (an array: the hot loops walk it on every verified piece). */
  readonly ends: FlowEnd[] = []
  uploadedBytes = 0
  /** Bumped whenever a pick that found nothing on some neighbour may now find something (see #nothingToPick). */
  #changes = 0
  #endgame = false
  doneAt: number | undefined
  left = false
  readonly joinedAt: number
  #tickTimer: unknown
  /** Connections opened so far (FlowEnd.serial). */
  endsOpened = 0
  /**
   * EarlyHaves' bookkeeping: pieces announced before they were verified (see dueAt), each with
   * endsOpened then (the neighbours told are those opened before); of those, the ones whose fetch
   * was given up; verified pieces whose have waits so that neighbours never see the whole file
   * before this peer holds it; and requests for promised pieces, waiting for them.
   */
  readonly #promised = new Map<number, number>()
  readonly #withdrawn = new Set<number>()
  readonly #deferred: number[] = []
  readonly #held = new Map<number, { end: FlowEnd; request: Chunk }[]>()
  /**
   * Haves sent at once on idle connections and not yet arrived: per verified piece, the piece, how
   * many, then the neighbours' ends (delivering touches no more memory than it must: a 1000-peer
   * run delivers some 30 M haves). They all arrive latencyMs after they leave, so in the order
   * they left, and one bound callback takes the oldest; a closure and an array per verified piece
   * were a fifth of what a big run allocated.
   */
  readonly #directHaves = new Ring<number | FlowEnd>()

  constructor(
    readonly id: string,
    readonly seeder: boolean,
    readonly file: FlowFile,
    readonly queue: EventQueue,
    readonly host: FlowHost,
    readonly random: () => number,
    readonly latencyMs: number,
    /** Called once when the last piece is verified. */
    readonly onComplete: (peer: FlowPeer) => void,
    /** Called for each side of a connection this peer closed because both ends hold the whole file. */
    readonly onDisconnect: (peer: FlowPeer, remote: FlowPeer) => void,
  ) {
    this.have = seeder ? Bitfield.full(file.pieces) : new Bitfield(file.pieces)
    this.availability = new Uint16Array(file.pieces)
    this.#fetchers = new Uint8Array(file.pieces)
    this.#pick = {
      have: this.have,
      remoteBytes: file.remotes.bytes,
      remoteAt: 0,
      fetchers: this.#fetchers,
      refusedUntil: file.neverRefused,
      now: 0,
      availability: this.availability,
      random,
    }
    // As Swarm: only a peer that came with the whole file rations; one that finished serves all.
    this.distinctFirst = seeder ? new DistinctFirstPolicy(file.pieces) : undefined
    const distinctFirst = this.distinctFirst
    this.offers =
      distinctFirst && file.superSeed
        ? new PieceOffers<FlowEnd>({
            pieceCount: file.pieces,
            pieceSize: file.pieceSize,
            sent: distinctFirst,
            random,
            offer: (end, piece) => this.#offer(end, piece),
          })
        : undefined
    this.joinedAt = queue.now()
    this.#scheduleTick()
  }

  /** For the connector (it reads what the tracker would be told). */
  get verified(): Bitfield {
    return this.have
  }

  get complete(): boolean {
    return this.have.complete
  }

  /** A connection opened now: each side's bitfield reaches the other one latency later. */
  static connect(a: FlowPeer, b: FlowPeer): void {
    const ab = new FlowEnd(a, b, a.latencyMs)
    const ba = new FlowEnd(b, a, b.latencyMs)
    ab.mirror = ba
    ba.mirror = ab
    a.ends.push(ab)
    b.ends.push(ba)
    a.#advertise(ab)
    b.#advertise(ba)
    a.queue.after(a.latencyMs, () => {
      if (!ba.closed) b.#onBitfield(ba)
      if (!ab.closed) a.#onBitfield(ab)
    })
  }

  /**
   * A super-seeding origin's first offer to a new neighbour, as Swarm makes it: before the
   * neighbour's bitfield has arrived (refresh() takes back what it turns out to hold), as haves
   * right behind its empty bitfield, so they arrive with it and set bits in the row it reads.
   */
  #advertise(end: FlowEnd): void {
    if (!this.offers || this.offers.revealed) return
    this.#opening = end
    this.offers.open(end, { has: (piece) => end.ready && end.has(piece) })
    this.#opening = undefined
  }

  /** The connection #advertise() is opening: its offers travel with the bitfield. */
  #opening: FlowEnd | undefined


  /** Shows the neighbour a piece, as Swarm's session.have(): behind what is queued to it (at connect, with the bitfield). */
  #offer(end: FlowEnd, piece: number): void {
    if (end === this.#opening) {
      if (this.file.remotes.set(end.mirror.remoteAt, piece)) end.mirror.remoteCount++
      return
    }
    const last = end.lastQueued()
    if (last instanceof Haves) last.pieces.push(piece)
    else end.sendControl(new Haves(end.mirror, piece))
  }

  /** Leaves the swarm: every connection closes at once on both sides. */
  leave(): FlowPeer[] {
    this.left = true
    this.queue.clearTimeout(this.#tickTimer)
    const neighbours: FlowPeer[] = []
    for (const end of this.ends) {
      end.close()
      end.mirror.self.#onClose(end.mirror)
      neighbours.push(end.other)
    }
    this.ends.length = 0
    return neighbours
  }

  #onBitfield(end: FlowEnd): void {
    end.ready = true
    this.offers?.refresh(end)
    if (this.#closeIfBothComplete(end)) return
    countPieces(end, this.availability, 1)
    end.gained++
    this.#fill(end)
  }

  /** As Swarm: two peers holding the whole file have nothing to trade, and the slots are better spent. */
  #closeIfBothComplete(end: FlowEnd): boolean {
    if (!this.complete || !end.ready || !end.remoteComplete) return false
    this.offers?.close(end)
    end.close()
    this.ends.splice(this.ends.indexOf(end), 1)
    const other = end.other
    other.#onClose(end.mirror)
    this.onDisconnect(this, other)
    this.onDisconnect(other, this)
    return true
  }

  #onClose(end: FlowEnd): void {
    if (end.ready && !this.complete) countPieces(end, this.availability, -1)
    this.offers?.close(end)
    end.close()
    this.ends.splice(this.ends.indexOf(end), 1)
    for (const piece of end.fetches.keys()) {
      this.#stopped(piece)
      this.#settle(piece)
    }
    if (end.fetches.size > 0) this.#changes++
    end.fetches.clear()
    this.#checkEndgame()
    this.#fillAll()
  }

  /** A neighbour has verified `piece`. */
  onHave(end: FlowEnd, piece: number): void {
    if (!end.ready || !this.file.remotes.set(end.remoteAt, piece)) return
    end.remoteCount++
    // A complete peer never picks again: only its view of what the neighbour lacks (for distinct-first) still matters.
    if (this.complete) {
      this.offers?.taken(end, piece)
      this.#closeIfBothComplete(end)
      return
    }
    this.availability[piece]!++
    // Swarm tops up on every have, which also retries refusals that ran out; only a piece we lack is new to pick.
    if (!this.have.has(piece)) end.gained++
    this.#fill(end)
  }

  /** Keeps the neighbour's pipeline full, as Swarm.#fill: continue its pieces, then pick new ones. */
  #fill(end: FlowEnd): void {
    if (end.settled || end.outstanding > neverTopUpAbove(this.ends.length) || !end.ready || this.complete || this.left) return
    // Nothing left to ask for in its pieces and nothing new to pick: skip sizing the pipeline (most have-driven fills end here).
    if (end.idle !== undefined && !hasUnrequested(end) && this.#nothingToPick(end, this.queue.now())) return
    const depth = neighbourPipelineDepth({
      average: end.received.rate(),
      recent: end.delivered,
      rttMs: end.minLatencyMs,
      blockSize: MAX_BLOCK_SIZE,
      initialBlocks: this.file.initialPipelineBlocks,
      deliveredBytes: end.received.total,
      neighbours: this.ends.length,
    })
    if (end.outstanding > depth - Math.max(1, Math.floor(depth / 4))) {
      end.settled = true
      return
    }
    let batch: Chunk[] | undefined
    while (end.outstanding < depth) {
      let fetch: Fetch | undefined
      for (const f of end.fetches.values()) {
        if (f.requested < f.total) {
          fetch = f
          break
        }
      }
      fetch ??= this.#startPiece(end)
      if (!fetch) break
      // Never past the depth: a young pipeline is a few blocks deep, and asking for a whole chunk
      // would let it ramp up faster than the engine's does.
      const blocks = Math.min(this.file.chunkBlocks, fetch.total - fetch.requested, depth - end.outstanding)
      const length = this.#pieceLength(fetch.piece)
      const bytes = Math.min(length, (fetch.requested + blocks) * MAX_BLOCK_SIZE) - fetch.requested * MAX_BLOCK_SIZE
      ;(batch ??= []).push(new Chunk(end, fetch, blocks, bytes, this.queue.now()))
      fetch.requested += blocks
      end.outstanding += blocks
    }
    end.settled = end.outstanding >= depth
    if (batch) end.sendControl(new Requests(end.mirror, batch))
  }

  #startPiece(end: FlowEnd): Fetch | undefined {
    const now = this.queue.now()
    if (this.#nothingToPick(end, now)) return undefined
    const refused = end.refusedUntil
    const fetchers = this.#fetchers
    const pick = this.#pick
    pick.remoteBytes = this.file.remotes.bytes
    pick.remoteAt = end.remoteAt
    pick.refusedUntil = refused === this.file.neverRefused ? undefined : refused
    pick.now = now
    let piece = pickPieceFast(pick)
    if (piece === undefined && this.#isEndgame()) piece = pickEndgamePieceFast(pick, end.fetches)
    if (piece === undefined) {
      let until = Infinity
      if (refused !== this.file.neverRefused) for (const t of refused) if (t > now && t < until) until = t
      end.idle = { changes: this.#changes, gained: end.gained, until }
      return undefined
    }
    const fetch: Fetch = { piece, total: Math.ceil(this.#pieceLength(piece) / MAX_BLOCK_SIZE), requested: 0, received: 0 }
    end.fetches.set(piece, fetch)
    if (fetchers[piece]!++ === 0) this.#inFlight++
    this.#checkEndgame()
    return fetch
  }

  /**
   * True when a pick on this neighbour found nothing and nothing that could change that has
   * happened since: it gained no piece we lack, no piece stopped being fetched without being
   * verified, no refusal ran out, endgame did not begin. Skipping such a pick changes no result
   * (a pick that finds nothing draws no random number) and saves a scan of every piece, which
   * otherwise follows nearly every `have`.
   */
  #nothingToPick(end: FlowEnd, now: number): boolean {
    const idle = end.idle
    return idle !== undefined && idle.changes === this.#changes && idle.gained === end.gained && now < idle.until
  }

  /** FetchBook.endgame: every missing piece is being fetched. */
  #isEndgame(): boolean {
    const missing = this.have.length - this.have.count
    return missing > 0 && this.#inFlight >= missing
  }

  #stopped(piece: number): void {
    if (--this.#fetchers[piece]! === 0) this.#inFlight--
  }

  /** A fetch of `piece` was given up: if nobody else fetches it, a promise of it is withdrawn, its held requests rejected (as Swarm's FetchBook idle). */
  #settle(piece: number): void {
    if (this.#fetchers[piece] !== 0 || this.have.has(piece) || !this.#promised.has(piece) || this.#withdrawn.has(piece)) return
    this.#withdrawn.add(piece)
    for (const { end, request } of this.#held.get(piece) ?? []) if (!end.closed) end.sendControl(new Rejects(end.mirror, [request]))
    this.#held.delete(piece)
  }

  /** Endgame lets a pick take a piece others are fetching: its start is a change for #nothingToPick. Run after every change to the fetch counts. */
  #checkEndgame(): void {
    const endgame = this.#isEndgame()
    if (endgame && !this.#endgame) this.#changes++
    this.#endgame = endgame
  }

  /** The fetch's last chunk arrives at `arrivesAt`: announce the piece ANNOUNCE_AHEAD_MS before, as Swarm does. */
  dueAt(end: FlowEnd, fetch: Fetch, arrivesAt: number): void {
    this.queue.at(Math.max(this.queue.now(), arrivesAt - ANNOUNCE_AHEAD_MS), () => {
      const piece = fetch.piece
      if (this.left || end.fetches.get(piece) !== fetch || this.have.has(piece) || this.#promised.has(piece)) return
      if (this.have.count + this.#promised.size + 1 >= this.file.pieces) return
      this.#promised.set(piece, this.endsOpened)
      this.#announce(piece, 0)
    })
  }

  /** As the Uploader: admit each request (an origin rations through distinct-first) and queue its chunk; one for a promised piece waits for it. */
  onRequests(end: FlowEnd, requests: Chunk[]): void {
    if (end.closed || this.left) return
    let rejected: Chunk[] | undefined
    for (const request of requests) {
      const piece = request.fetch.piece
      if (this.#promised.has(piece) && !this.#withdrawn.has(piece)) {
        const held = this.#held.get(piece)
        if (held) held.push({ end, request })
        else this.#held.set(piece, [{ end, request }])
        continue
      }
      if (!this.#admit(end, request.fetch.piece)) {
        ;(rejected ??= []).push(request)
        continue
      }
      // Counted when queued, as the Uploader counts a block handed to the channel.
      this.uploadedBytes += request.bytes
      end.send(request)
    }
    if (rejected) end.sendControl(new Rejects(end.mirror, rejected))
  }

  /** Swarm's admission: an origin rations through distinct-first, through its offers while it super-seeds. */
  #admit(end: FlowEnd, piece: number): boolean {
    if (!this.have.has(piece)) return false
    return this.offers?.admit(end, end, piece) ?? this.distinctFirst?.admit(end, end, piece) ?? true
  }

  onReject(end: FlowEnd, requests: Chunk[]): void {
    if (end.closed) return
    for (const { fetch } of requests) {
      if (end.fetches.get(fetch.piece) !== fetch) continue
      if (end.refusedUntil === this.file.neverRefused) end.refusedUntil = new Float32Array(this.file.pieces)
      end.refusedUntil[fetch.piece] = this.queue.now() + REFUSE_MS
      this.#release(end, fetch.piece, false)
    }
    this.#fillAll()
  }

  onChunk(end: FlowEnd, request: Chunk): void {
    const { fetch } = request
    // Given up (verified from someone else, refused, cancelled) while this chunk was on its way: dropped.
    if (end.closed || end.fetches.get(fetch.piece) !== fetch) return
    const now = this.queue.now()
    end.outstanding -= request.blocks
    end.settled = false
    fetch.received += request.blocks
    end.received.record(request.bytes)
    end.delivered.record(request.bytes)
    end.minLatencyMs = Math.min(end.minLatencyMs, now - request.requestedAt)
    if (fetch.received < fetch.total) {
      this.#fill(end)
      return
    }
    end.fetches.delete(fetch.piece)
    this.#stopped(fetch.piece)
    this.#verified(end, fetch.piece)
  }

  /**
   * Hashing costs no virtual time: the piece is stored, announced and cancelled elsewhere at once.
   * As in Swarm, the neighbour that sent it is topped up first, then all.
   */
  #verified(from: FlowEnd, piece: number): void {
    if (this.have.has(piece)) return
    this.have.set(piece)
    this.#checkEndgame()
    // Other neighbours fetching it give it up; #fetchers counts them, so the usual case (none) visits no end.
    if (this.#fetchers[piece] !== 0) for (const end of this.ends) if (end.fetches.has(piece)) this.#release(end, piece, false)
    const toldBelow = this.#promised.get(piece)
    if (toldBelow !== undefined) {
      this.#promised.delete(piece)
      this.#withdrawn.delete(piece)
      const held = this.#held.get(piece)
      if (held) {
        this.#held.delete(piece)
        for (const { end, request } of held) {
          if (end.closed) continue
          this.uploadedBytes += request.bytes
          end.send(request)
        }
      }
      this.#announce(piece, toldBelow)
    } else if (this.#promised.size > 0 && this.have.count + this.#promised.size >= this.file.pieces) {
      this.#deferred.push(piece)
    } else {
      this.#announce(piece, 0)
    }
    if (this.#promised.size === 0 && this.#deferred.length > 0) for (const deferred of this.#deferred.splice(0)) this.#announce(deferred, 0)
    if (this.complete) {
      this.doneAt ??= this.queue.now()
      for (const end of [...this.ends]) this.#closeIfBothComplete(end)
      this.onComplete(this)
    }
    this.#fill(from)
    this.#fillAll()
  }

  /**
   * Sends `have` for `piece` to the neighbours whose connection opened `toldBelow`-th or later (the
   * others had an early one). A have waits behind the data already queued to that neighbour, as a
   * frame on a data channel does (at low rates that is seconds, and it changes what neighbours ask
   * for); to neighbours with nothing queued they all leave at once, so they share one event (see
   * #directHaves).
   */
  #announce(piece: number, toldBelow: number): void {
    let idle = 0
    for (const end of this.ends) {
      if (end.serial < toldBelow) continue
      if (!end.hasQueued) {
        idleEnds[idle++] = end.mirror
        continue
      }
      const last = end.lastQueued()
      if (last instanceof Haves) last.pieces.push(piece)
      else end.sendControl(new Haves(end.mirror, piece))
    }
    if (idle > 0) {
      const direct = this.#directHaves
      direct.push(piece)
      direct.push(idle)
      for (let i = 0; i < idle; i++) direct.push(idleEnds[i]!)
      this.queue.after(this.latencyMs, this.#deliverDirectHaves)
    }
  }

  /** The oldest entry of #directHaves has arrived. */
  readonly #deliverDirectHaves = (): void => {
    const direct = this.#directHaves
    const piece = direct.shift() as number
    for (let n = direct.shift() as number; n > 0; n--) {
      const end = direct.shift() as FlowEnd
      end.self.onHave(end, piece)
    }
  }

  /** Gives a piece up with this neighbour; chunks already sent still arrive and are dropped. */
  #release(end: FlowEnd, piece: number, refill = true): void {
    const fetch = end.fetches.get(piece)
    if (!fetch) return
    end.fetches.delete(piece)
    this.#stopped(piece)
    this.#settle(piece)
    this.#changes++
    this.#checkEndgame()
    end.outstanding -= fetch.requested - fetch.received
    end.settled = false
    if (refill) this.#fillAll()
  }

  #fillAll(): void {
    for (const end of this.ends) this.#fill(end)
  }

  #scheduleTick(): void {
    this.#tickTimer = this.queue.setTimeout(() => {
      if (this.left) return
      // Pieces refused a while ago may be asked for again; no message will say so.
      this.#fillAll()
      if (!this.complete) this.#scheduleTick()
    }, TICK_MS)
  }

  #pieceLength(piece: number): number {
    const { size, pieceSize, pieces } = this.file
    return piece === pieces - 1 ? size - pieceSize * (pieces - 1) : pieceSize
  }
}
