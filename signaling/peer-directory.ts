/**
 * Which connection owns each peer id. Signals are routed by peer id, so a peer id held by one
 * live connection must not be claimable by another: that would let anyone who saw the id in a
 * handout intercept its signals. The one exception is the owner itself coming back on a new
 * connection before the tracker noticed the old one died; it proves that with its session key.
 */

export interface PeerOwner {
  socketId: string
  /** The owner's handshake secret, if it sent one. */
  sessionKey: string | undefined
}

export type ClaimResult =
  | { ok: true; /** The owner's previous connection, now superseded and to be dropped. */ replaced?: string }
  | { ok: false }

export class PeerDirectory {
  readonly #owners = new Map<string, PeerOwner>()

  claim(peerId: string, claimant: PeerOwner): ClaimResult {
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
  release(peerId: string, socketId: string): void {
    if (this.#owners.get(peerId)?.socketId === socketId) this.#owners.delete(peerId)
  }
}
