/**
 * Which missing pieces are being fetched, from how many peers (more than one only in endgame),
 * and which are being verified: the bookkeeping that keeps a piece from being fetched twice
 * outside endgame.
 */
export class FetchBook {
  readonly #downloaders = new Map<number, number>()
  readonly #verifying = new Set<number>()

  /** `idle` hears of a piece no longer fetched from anyone nor being verified (verified, failed or given up). */
  constructor(readonly idle: (piece: number) => void = () => {}) {}

  downloaders(piece: number): number {
    return this.#downloaders.get(piece) ?? 0
  }

  /** Being fetched or verified. */
  busy(piece: number): boolean {
    return this.#downloaders.has(piece) || this.#verifying.has(piece)
  }

  verifying(piece: number): boolean {
    return this.#verifying.has(piece)
  }

  started(piece: number): void {
    this.#downloaders.set(piece, this.downloaders(piece) + 1)
  }

  stopped(piece: number): void {
    const count = this.downloaders(piece) - 1
    if (count > 0) {
      this.#downloaders.set(piece, count)
      return
    }
    this.#downloaders.delete(piece)
    if (!this.#verifying.has(piece)) this.idle(piece)
  }

  verifyStarted(piece: number): void {
    this.#verifying.add(piece)
  }

  verifyEnded(piece: number): void {
    this.#verifying.delete(piece)
    if (!this.#downloaders.has(piece)) this.idle(piece)
  }

  /** Endgame: every one of the `missing` pieces is already being fetched or verified. */
  endgame(missing: number): boolean {
    let inFlight = this.#downloaders.size
    for (const piece of this.#verifying) if (!this.#downloaders.has(piece)) inFlight++
    return missing > 0 && inFlight >= missing
  }
}
