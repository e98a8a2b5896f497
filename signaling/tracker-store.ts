/**
 * Where the tracker keeps its state: who is in which swarm, which connection owns each peer id,
 * and the published manifests. One process keeps it in memory (the default); several processes
 * serving as one keep it in Redis (signaling/redis/). Every operation is async so the handlers
 * need not know which; the handlers keep validation, identity binding, admission and rate
 * limits in front of the store.
 */
import type { PeerInfo } from '../core/tracker-protocol.ts'
import { ManifestRegistry } from './manifest-registry.ts'
import type { ManifestRegistryOptions } from './manifest-registry.ts'
import { PeerDirectory } from './peer-directory.ts'
import { SwarmRegistry } from './swarm-registry.ts'

export interface SwarmMember extends PeerInfo {
  /** The Socket.IO connection the peer announced on; signals to the peer go to it. */
  socketId: string
  /** Whether the peer last said it has no room for another connection (announce or `room`); absent counts as room. */
  full?: boolean
}

/** Swarm id -> the peers in it. */
export interface SwarmMembership {
  /** Adds the peer to the swarm, or updates what it holds (and, where entries expire, renews it). */
  upsert(swarm: string, member: SwarmMember): Promise<void>
  get(swarm: string, peerId: string): Promise<SwarmMember | undefined>
  /** Removes the peer only if it is still reached through `socketId`, so a stale connection cannot evict its successor. */
  remove(swarm: string, peerId: string, socketId: string): Promise<void>
  /**
   * Records whether the peer has room for another connection, only if it is still reached through
   * `socketId` (like remove). False when it is not, or not a member at all: nothing is created.
   */
  setFull(swarm: string, peerId: string, socketId: string, full: boolean): Promise<boolean>
  /** A sample of the other peers in the swarm for `peerId` to contact, those with room first (see peer-handout.ts). */
  handout(swarm: string, peerId: string, limit: number): Promise<PeerInfo[]>
  /** Swarms with at least one peer, for the metrics. */
  count(): Promise<number>
}

export interface PeerOwner {
  socketId: string
  /** The owner's handshake secret, if it sent one. */
  sessionKey: string | undefined
}

export type ClaimResult =
  | { ok: true; /** The owner's previous connection, now superseded and to be dropped. */ replaced?: string }
  | { ok: false }

/**
 * Which connection owns each peer id. Signals are routed by peer id, so a peer id held by one
 * live connection must not be claimable by another: that would let anyone who saw the id in a
 * handout intercept its signals. The one exception is the owner itself coming back on a new
 * connection before the tracker noticed the old one died; it proves that with its session key.
 */
export interface PeerOwnership {
  /** Claims the id for `claimant`; the owning connection claiming again renews its claim. */
  claim(peerId: string, claimant: PeerOwner): Promise<ClaimResult>
  /** Frees the peer id if `socketId` still owns it. */
  release(peerId: string, socketId: string): Promise<void>
  /** Peer ids held by a connection, for the metrics. */
  count(): Promise<number>
}

/** Published manifests by id, bounded (the least recently used go first). */
export interface ManifestStore {
  /** Stores a manifest the caller has already checked against `id`; `bytes` is its UTF-8 length. */
  put(id: string, json: string, bytes: number): Promise<void>
  get(id: string): Promise<string | undefined>
  count(): Promise<number>
}

export interface TrackerStore {
  swarms: SwarmMembership
  peers: PeerOwnership
  manifests: ManifestStore
}

/** One process's state, in memory: lost when the process stops. */
export function memoryTrackerStore(options: { manifests?: ManifestRegistryOptions } = {}): TrackerStore {
  return {
    swarms: new SwarmRegistry(),
    peers: new PeerDirectory(),
    manifests: new ManifestRegistry(options.manifests),
  }
}
