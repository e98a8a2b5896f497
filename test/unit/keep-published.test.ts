import { describe, expect, it } from 'vitest'
import { keepPublished } from '../../core/client/keep-published.ts'
import type { PublishingChannel } from '../../core/client/keep-published.ts'
import { ShoalError } from '../../core/errors.ts'
import { VirtualClock } from '../support/virtual-clock.ts'

/** A tracker client stand-in: answers each publish from a script, and reconnects on demand. */
class FakeTracker implements PublishingChannel {
  readonly published: string[] = []
  readonly #listeners = new Set<() => void>()
  constructor(readonly answers: Array<Error | undefined> = []) {}

  async publishManifest(json: string): Promise<string> {
    this.published.push(json)
    const answer = this.answers.shift()
    if (answer) throw answer
    return 'id'
  }

  onReconnect(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  reconnect(): void {
    for (const l of this.#listeners) l()
  }
}

describe('keepPublished', () => {
  it('publishes again after every reconnect, and not before one', async () => {
    const clock = new VirtualClock()
    const tracker = new FakeTracker()
    const stop = keepPublished(tracker, '{"m":1}', { clock })
    await clock.advance(10_000)
    expect(tracker.published).toEqual([])
    tracker.reconnect()
    await clock.advance(0)
    tracker.reconnect()
    await clock.advance(0)
    expect(tracker.published).toEqual(['{"m":1}', '{"m":1}'])
    stop()
    tracker.reconnect()
    await clock.advance(0)
    expect(tracker.published).toHaveLength(2)
  })

  it('retries a transient failure after a delay, up to maxAttempts, and reports each failure', async () => {
    const clock = new VirtualClock()
    const timeout = () => new ShoalError('TIMEOUT', 'slow')
    const tracker = new FakeTracker([timeout(), timeout(), timeout(), timeout()])
    const errors: unknown[] = []
    keepPublished(tracker, 'm', { clock, retryDelayMs: 1000, maxAttempts: 3, onError: (e) => errors.push(e) })
    tracker.reconnect()
    await clock.advance(0)
    expect(tracker.published).toHaveLength(1)
    await clock.advance(999)
    expect(tracker.published).toHaveLength(1)
    await clock.advance(1)
    expect(tracker.published).toHaveLength(2)
    await clock.advance(10_000)
    expect(tracker.published).toHaveLength(3)
    expect(errors).toHaveLength(3)
  })

  it('does not retry an answer another try cannot change', async () => {
    const clock = new VirtualClock()
    const tracker = new FakeTracker([new ShoalError('NOT_ADMITTED', 'no token')])
    keepPublished(tracker, 'm', { clock })
    tracker.reconnect()
    await clock.advance(60_000)
    expect(tracker.published).toHaveLength(1)
  })

  it('a new reconnect replaces the retry loop of the previous one', async () => {
    const clock = new VirtualClock()
    const tracker = new FakeTracker([new ShoalError('TIMEOUT', 'slow')])
    keepPublished(tracker, 'm', { clock, retryDelayMs: 1000 })
    tracker.reconnect()
    await clock.advance(500)
    tracker.reconnect()
    await clock.advance(10_000)
    // The failed first try, the second reconnect's success, and no leftover retry.
    expect(tracker.published).toHaveLength(2)
  })
})
