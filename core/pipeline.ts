/** How many requests to keep in flight to a peer, and how long each may take. Pure. */
import { MAX_PEERS } from './client/peer-connector.ts'
import { MAX_QUEUED_PER_PEER } from './uploader.ts'

export const MIN_PIPELINE_BLOCKS = 8
/**
 * 12 MiB of 64 KiB blocks: at 40 ms round trips about 300 MB/s per neighbour, so a peer on a
 * 5 GB/s link fills it from 16 neighbours. Only a fast neighbour gets this deep: the depth follows
 * its measured rate. Deeper is not better: a request for a rare piece waits behind everything
 * asked of that neighbour before it, and a fast origin is asked for more. Simulator, 1000 peers x
 * 5 GB at 5 GB/s: max 2.08 s at 128 blocks (too shallow: p50 1.84 s), 1.94 s at 192, 2.13-2.24 s
 * at 256 with the origin sending 1.5 copies.
 */
export const MAX_PIPELINE_BLOCKS = 192

/**
 * What a peer keeps requested over all its neighbours: a full set's worth of the deepest
 * pipelines. A peer with fewer neighbours may ask each for more (see maxPipelineBlocks), or one
 * that joins a swarm whose peers are mostly full fills its link from a dozen neighbours at two
 * thirds of its rate: simulator, 1000 peers x 5 GB at 5 GB/s, a peer that joined at 0.79 s with
 * 7-14 neighbours for its first 0.8 s was the slowest of its run.
 */
export const PIPELINE_BUDGET_BLOCKS = MAX_PEERS * MAX_PIPELINE_BLOCKS

/**
 * The deepest pipeline one of `neighbours` neighbours gets: MAX_PIPELINE_BLOCKS, or its share of
 * the budget if that is more, but never more requests than a neighbour queues
 * (MAX_QUEUED_PER_PEER): it rejects the rest, and each rejection keeps that piece from asking it
 * for seconds (a peer with one neighbour, asking it for 4608 blocks, finished a 20-peer swarm's
 * 400 MB at 5 GB/s 0.1 s later than the flow model, which has no such limit, predicted).
 */
export function maxPipelineBlocks(neighbours: number): number {
  return Math.min(MAX_QUEUED_PER_PEER, Math.max(MAX_PIPELINE_BLOCKS, Math.floor(PIPELINE_BUDGET_BLOCKS / Math.max(1, neighbours))))
}
/**
 * A new neighbour has no rate to size its pipeline by: until it has delivered this first window,
 * it is asked for up to one piece at once (within the bounds above), as TCP opens a connection
 * with an initial window rather than one segment. From MIN_PIPELINE_BLOCKS a new neighbour's
 * pipeline took four round trips to open, and when a swarm starts every connection is new:
 * simulator, 1000 peers x 5 GB in 4 MiB pieces, 5 GB/s links, 20 ms: the slowest peer done 1.74 s
 * after joining before, 1.63 s with it. One piece, because that is what a neighbour verifies and
 * passes on, and because it grows with the file: a fixed 32 blocks asked a 5-peer swarm of a 4 MiB
 * file (256 KiB pieces) for half the file at once, and it finished in 2.32 s instead of 1.97 s.
 */
export function initialPipelineBlocks(pieceSize: number, blockSize: number): number {
  return Math.min(MAX_PIPELINE_BLOCKS, Math.max(MIN_PIPELINE_BLOCKS, Math.ceil(pieceSize / blockSize)))
}

/** Queue this much time's worth of data at the remote beyond one round trip, to ride out jitter. */
const PIPELINE_SLACK_SECONDS = 0.25

/** A recent delivery rate is read over at least this long, and at most this long. */
export const MIN_DELIVERY_WINDOW_MS = 50
const MAX_DELIVERY_WINDOW_MS = 1000
/** ... and over at least the time the average rate takes to bring this many blocks. */
const DELIVERY_WINDOW_BLOCKS = 8

/** What a neighbour delivers, as the pipeline is sized by it: its average rate (RateMeter) or its recent one, whichever is more. */
export interface NeighbourRateInput {
  average: number
  recent: { rate(windowMs: number): number }
  rttMs: number
  blockSize: number
}

/**
 * The larger of a neighbour's average rate and what it delivered over the last round trip or so
 * (`recent`, a DeliveryRate read over deliveryWindowMs()). A neighbour that had little to send
 * averages low, yet has room for much more once it has pieces we want: sized from the average
 * alone its pipeline opened up slowly, and in the simulator (1000 peers x 5 GB) new pieces
 * crossed each hop slowly.
 */
export function neighbourRate(input: NeighbourRateInput): number {
  const { average, recent, rttMs, blockSize } = input
  return Math.max(average, recent.rate(deliveryWindowMs({ rttMs, average, blockSize })))
}

/** A neighbour's pipeline depth, from neighbourRate(). */
export function neighbourPipelineDepth(
  input: NeighbourRateInput & {
    /** initialPipelineBlocks() for the file, and what the neighbour has delivered so far: below that window, it holds. */
    initialBlocks: number
    deliveredBytes: number
    /** Connections open now, this one among them (see maxPipelineBlocks). */
    neighbours: number
  },
): number {
  const { rttMs, blockSize, initialBlocks, deliveredBytes, neighbours } = input
  const rate = neighbourRate(input)
  const depth = pipelineDepth({ rate, rttMs, blockSize, max: maxPipelineBlocks(neighbours) })
  return deliveredBytes < initialBlocks * blockSize ? Math.max(depth, initialBlocks) : depth
}

/**
 * A round trip, but never shorter than the average rate takes to bring DELIVERY_WINDOW_BLOCKS
 * blocks: over less, a slow link's bursts (a rate limiter's, a data channel's) read as a fast one,
 * and its pipeline would queue seconds of requests there.
 */
export function deliveryWindowMs(input: { rttMs: number; average: number; blockSize: number }): number {
  const { rttMs, average, blockSize } = input
  const fill = average > 0 ? ((DELIVERY_WINDOW_BLOCKS * blockSize) / average) * 1000 : MAX_DELIVERY_WINDOW_MS
  return Math.min(MAX_DELIVERY_WINDOW_MS, Math.max(Number.isFinite(rttMs) ? rttMs : 0, MIN_DELIVERY_WINDOW_MS, fill))
}

/** Enough requests to cover bandwidth x delay (plus slack), within [min, max] blocks. */
export function pipelineDepth(input: { rate: number; rttMs: number; blockSize: number; min?: number; max?: number }): number {
  const { rate, blockSize, min = MIN_PIPELINE_BLOCKS, max = MAX_PIPELINE_BLOCKS } = input
  const rtt = Number.isFinite(input.rttMs) ? input.rttMs / 1000 : 0
  const blocks = Math.ceil((rate * (rtt + PIPELINE_SLACK_SECONDS)) / blockSize)
  return Math.min(max, Math.max(min, blocks))
}

/** The time any request gets, however small. */
export const REQUEST_TIMEOUT_BASE_MS = 5_000
/** The slowest rate at which a peer still counts as making progress. */
export const MIN_PEER_RATE = 64 * 1024

/**
 * A request waits behind everything already asked of that peer, so its deadline grows with the
 * bytes queued ahead of it plus its own: a slow but live peer is not mistaken for a dead one.
 */
export function requestTimeoutMs(bytesAheadAndOwn: number, minRate = MIN_PEER_RATE, baseMs = REQUEST_TIMEOUT_BASE_MS): number {
  return baseMs + Math.ceil((bytesAheadAndOwn / minRate) * 1000)
}
