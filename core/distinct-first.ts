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
  /**
   * The lowest send count and how many pieces have it. A piece at the lowest count needs no scan
   * (nothing can have gone out fewer times), which is most requests to a seeder that has sent
   * little; the scan is a pass over every piece, per request.
   */
  #lowest = 0
  #atLowest: number

  constructor(pieceCount: number) {
    this.#sent = new Uint32Array(pieceCount)
    this.#atLowest = pieceCount
  }

  sendCount(piece: number): number {
    return this.#sent[piece] ?? 0
  }

  /** The fewest times any piece has been admitted. */
  get lowestSendCount(): number {
    return this.#lowest
  }

  /** `peer` identifies the requester; `lacks` is what it does not hold (its bitfield inverted). */
  admit(peer: object, remoteHas: Pick<Bitfield, 'has'>, piece: number): boolean {
    const admitted = this.#admitted.get(peer)
    if (admitted?.has(piece)) return true
    const count = this.#sent[piece]!
    if (count > this.#lowest) {
      for (let q = 0; q < this.#sent.length; q++) {
        if (this.#sent[q]! < count && !remoteHas.has(q) && !admitted?.has(q)) return false
      }
    }
    this.grant(peer, piece)
    return true
  }

  /** Admits without the check (a piece the origin offered this peer itself); counted as admit() counts. */
  grant(peer: object, piece: number): void {
    let admitted = this.#admitted.get(peer)
    if (admitted?.has(piece)) return
    if (!admitted) this.#admitted.set(peer, (admitted = new Set()))
    admitted.add(piece)
    const count = this.#sent[piece]!++
    if (count === this.#lowest && --this.#atLowest === 0) this.#raiseLowest()
  }

  #raiseLowest(): void {
    let lowest = Infinity
    let at = 0
    for (const count of this.#sent) {
      if (count < lowest) {
        lowest = count
        at = 1
      } else if (count === lowest) at++
    }
    this.#lowest = lowest
    this.#atLowest = at
  }
}
