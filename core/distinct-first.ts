/**
 * Upload admission for a seeder: while some piece a peer lacks has gone out fewer times than
 * the piece it asks for, refuse it, so the origin spends its upload on pieces the swarm does
 * not have yet and the peers trade the rest among themselves. A refused peer picks another
 * piece; one it lacks with the fewest sends is always admitted, so nobody is starved.
 */
import type { Bitfield } from './bitfield.ts'

export class DistinctFirstPolicy {
  /** How many peers each piece has been admitted to (sent or being sent). */
  readonly #sent: Uint32Array
  readonly #admitted = new WeakMap<object, Set<number>>()

  constructor(pieceCount: number) {
    this.#sent = new Uint32Array(pieceCount)
  }

  sendCount(piece: number): number {
    return this.#sent[piece] ?? 0
  }

  /** `peer` identifies the requester; `lacks` is what it does not hold (its bitfield inverted). */
  admit(peer: object, remoteHas: Bitfield, piece: number): boolean {
    let admitted = this.#admitted.get(peer)
    if (admitted?.has(piece)) return true
    const count = this.#sent[piece]!
    for (let q = 0; q < this.#sent.length; q++) {
      if (this.#sent[q]! < count && !remoteHas.has(q) && !admitted?.has(q)) return false
    }
    if (!admitted) this.#admitted.set(peer, (admitted = new Set()))
    admitted.add(piece)
    this.#sent[piece]!++
    return true
  }
}
