/**
 * Swarm membership, in memory: swarm id -> the peers in it and the connection each one uses.
 * One process owns it; scaling across processes would put the same interface over Redis.
 */
import type { PeerInfo } from '../core/tracker-protocol.ts'
import { choosePeers } from './peer-handout.ts'

export interface SwarmMember extends PeerInfo {
  socketId: string
}

export class SwarmRegistry {
  readonly #swarms = new Map<string, Map<string, SwarmMember>>()

  /** Adds the peer to the swarm, or updates what it holds. */
  upsert(swarm: string, member: SwarmMember): void {
    let members = this.#swarms.get(swarm)
    if (!members) this.#swarms.set(swarm, (members = new Map()))
    members.set(member.peerId, { ...member })
  }

  get(swarm: string, peerId: string): SwarmMember | undefined {
    return this.#swarms.get(swarm)?.get(peerId)
  }

  /** Removes the peer only if it is still reached through `socketId`, so a stale connection cannot evict its successor. */
  remove(swarm: string, peerId: string, socketId: string): void {
    const members = this.#swarms.get(swarm)
    if (members?.get(peerId)?.socketId !== socketId) return
    members.delete(peerId)
    if (members.size === 0) this.#swarms.delete(swarm)
  }

  /** A sample of the other peers in the swarm for `peerId` to contact. */
  handout(swarm: string, peerId: string, limit: number, random?: () => number): PeerInfo[] {
    const members = this.#swarms.get(swarm)
    if (!members) return []
    return choosePeers(members.values(), { exclude: peerId, limit, random })
  }
}
