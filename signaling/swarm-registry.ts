/**
 * Swarm membership, in memory: swarm id -> the peers in it and the connection each one uses.
 * One process owns it and hears every disconnect, so nothing here needs to expire; several
 * processes share membership through Redis instead (redis/swarm-membership.ts).
 */
import type { PeerInfo } from '../core/tracker-protocol.ts'
import { choosePeers } from './peer-handout.ts'
import type { SwarmMember, SwarmMembership } from './tracker-store.ts'

export type { SwarmMember }

export class SwarmRegistry implements SwarmMembership {
  readonly #swarms = new Map<string, Map<string, SwarmMember>>()

  /** Adds the peer to the swarm, or updates what it holds and whether it is full. */
  async upsert(swarm: string, member: SwarmMember): Promise<void> {
    let members = this.#swarms.get(swarm)
    if (!members) this.#swarms.set(swarm, (members = new Map()))
    members.set(member.peerId, { ...member, full: member.full === true })
  }

  async get(swarm: string, peerId: string): Promise<SwarmMember | undefined> {
    return this.#swarms.get(swarm)?.get(peerId)
  }

  /** Removes the peer only if it is still reached through `socketId`, so a stale connection cannot evict its successor. */
  async remove(swarm: string, peerId: string, socketId: string): Promise<void> {
    const members = this.#swarms.get(swarm)
    if (members?.get(peerId)?.socketId !== socketId) return
    members.delete(peerId)
    if (members.size === 0) this.#swarms.delete(swarm)
  }

  async setFull(swarm: string, peerId: string, socketId: string, full: boolean): Promise<boolean> {
    const member = this.#swarms.get(swarm)?.get(peerId)
    if (member?.socketId !== socketId) return false
    member.full = full
    return true
  }

  /** A sample of the other peers in the swarm for `peerId` to contact, those with room first. */
  async handout(swarm: string, peerId: string, limit: number, random?: () => number): Promise<PeerInfo[]> {
    const members = this.#swarms.get(swarm)
    if (!members) return []
    return choosePeers(members.values(), { exclude: peerId, limit, random })
  }

  /** Swarms with at least one peer, for the metrics. */
  async count(): Promise<number> {
    return this.#swarms.size
  }
}
