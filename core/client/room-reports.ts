/**
 * Tells the tracker when this peer fills up or has room for another connection again, without
 * waiting for the next announce: the tracker hands out peers with room first, so newcomers are
 * not sent to dial peers that will refuse them. One report at a time; if it changed again
 * meanwhile, the latest is sent on the answer.
 */
import type { RoomReport } from '../tracker-protocol.ts'

export interface RoomReportsOptions {
  swarmId: string
  send: (body: RoomReport) => Promise<void>
  /** Whether the peer is full now. */
  full: () => boolean
  onError: (err: unknown) => void
}

export class RoomReports {
  readonly #options: RoomReportsOptions
  /**
   * Whether the tracker holds us as full: what the last answered announce or `room` said (the
   * tracker answers a connection's events in the order they were sent, so the last answer is its
   * state). Undefined until the first announce is answered, and after a `room` failed until the
   * next one is: nothing is reported while it is unknown.
   */
  #trackerFull: boolean | undefined
  #inFlight = false
  #stopped = false

  constructor(options: RoomReportsOptions) {
    this.#options = options
  }

  /** An announce carrying `full` was answered: that is what the tracker holds now. */
  announced(full: boolean): void {
    this.#trackerFull = full
    // Connections may have opened or closed while the announce was on its way.
    this.update()
  }

  /** The connection count may have changed: reports if the tracker holds something else. */
  update(): void {
    if (this.#stopped || this.#inFlight || this.#trackerFull === undefined || this.#trackerFull === this.#options.full()) return
    this.#inFlight = true
    void this.#send(this.#options.full())
  }

  stop(): void {
    this.#stopped = true
  }

  async #send(full: boolean): Promise<void> {
    const { send, swarmId } = this.#options
    try {
      await send({ swarm: swarmId, full })
      this.#trackerFull = full
    } catch (err) {
      // Whether the tracker took it is unknown now: the next announce says, rather than retries
      // that would repeat for as long as the tracker refuses.
      this.#trackerFull = undefined
      if (!this.#stopped) this.#options.onError(err)
    } finally {
      this.#inFlight = false
    }
    this.update()
  }
}
