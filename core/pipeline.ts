/** How many requests to keep in flight to a peer, and how long each may take. Pure. */

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
/** Queue this much time's worth of data at the remote beyond one round trip, to ride out jitter. */
const PIPELINE_SLACK_SECONDS = 0.25

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
