/**
 * Which connection owns each peer id, in memory (the rules are in tracker-store.ts, PeerOwnership).
 * A claim lasts as long as its connection: one process hears every disconnect.
 */
import type { ClaimResult, PeerOwner, PeerOwnership } from './tracker-store.ts'

export type { ClaimResult, PeerOwner }

export class PeerDirectory implements PeerOwnership {
  readonly #owners = new Map<string, PeerOwner>()

  async claim(peerId: string, claimant: PeerOwner): Promise<ClaimResult> {
    const owner = this.#owners.get(peerId)
    if (!owner) {
      this.#owners.set(peerId, { ...claimant })
      return { ok: true }
    }
    if (owner.socketId === claimant.socketId) return { ok: true }
    if (owner.sessionKey !== undefined && owner.sessionKey === claimant.sessionKey) {
      this.#owners.set(peerId, { ...claimant })
      return { ok: true, replaced: owner.socketId }
    }
    return { ok: false }
  }

  /** Frees the peer id if `socketId` still owns it. */
  async release(peerId: string, socketId: string): Promise<void> {
    if (this.#owners.get(peerId)?.socketId === socketId) this.#owners.delete(peerId)
  }

  /** Peer ids held by a connection, for the metrics. */
  async count(): Promise<number> {
    return this.#owners.size
  }
}
