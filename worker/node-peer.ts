/** Joins a swarm as a Node peer: WebRTC from @roamhq/wrtc, native SHA-256, the process's limits. */
import { type JoinedSwarm, joinSwarm } from '../core/client/join-swarm.ts'
import type { SignalingChannel } from '../core/client/peer-connector.ts'
import type { ChunkStore } from '../core/chunk-store.ts'
import type { Manifest } from '../core/manifest.ts'
import type { BandwidthLimiters } from '../core/bandwidth-limits.ts'
import { NODE_PIECE_HASHING } from './hash.ts'
import { loadWrtc } from './wrtc.ts'

export function joinAsNodePeer(
  tracker: SignalingChannel,
  swarmId: string,
  manifest: Manifest,
  store: ChunkStore,
  limits: BandwidthLimiters | undefined,
): Promise<JoinedSwarm> {
  return joinSwarm({ signaling: tracker, swarmId, manifest, store, wrtc: loadWrtc(), swarm: { ...limits, ...NODE_PIECE_HASHING } })
}
