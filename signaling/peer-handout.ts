/**
 * Which peers the tracker hands to an announcing peer. A uniform random sample keeps the swarm
 * graph well mixed (no peer is everyone's first choice), and sorting the sample by how much each
 * peer holds lets the asker try the most useful ones first.
 */
import type { PeerInfo } from '../core/tracker-protocol.ts'

export const DEFAULT_HANDOUT_SIZE = 50

export interface HandoutOptions {
  /** The asker, never handed to itself. */
  exclude: string
  limit?: number
  /** Uniform in [0, 1); injected so tests are deterministic. */
  random?: () => number
}

export function choosePeers(candidates: Iterable<PeerInfo>, options: HandoutOptions): PeerInfo[] {
  const { exclude, limit = DEFAULT_HANDOUT_SIZE, random = Math.random } = options
  const pool: PeerInfo[] = []
  for (const peer of candidates) if (peer.peerId !== exclude) pool.push(peer)
  const count = Math.min(limit, pool.length)
  // Partial Fisher-Yates: only the first `count` slots are shuffled, so a big swarm costs O(n) once.
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i))
    const picked = pool[j] as PeerInfo
    pool[j] = pool[i] as PeerInfo
    pool[i] = picked
  }
  return pool
    .slice(0, count)
    .map(({ peerId, pieces, complete }) => ({ peerId, pieces, complete }))
    .sort((a, b) => Number(b.complete) - Number(a.complete) || b.pieces - a.pieces)
}
