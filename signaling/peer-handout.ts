/**
 * Which peers the tracker hands to an announcing peer: a uniform random sample, in random order,
 * so the swarm graph stays well mixed and no peer is everyone's first choice. (Sorting it by how
 * much each peer holds, as it once did, sent every newcomer to the same oldest peers first; in a
 * big swarm those are full and refuse, and the simulator showed newcomers spending their first
 * half second being turned away.)
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
  return pool.slice(0, count).map(({ peerId, pieces, complete }) => ({ peerId, pieces, complete }))
}
