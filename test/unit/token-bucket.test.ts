import { describe, expect, it } from 'vitest'
import { TokenBucket } from '../../core/token-bucket.ts'
import { VirtualClock } from '../support/virtual-clock.ts'

describe('TokenBucket', () => {
  it('lets a full burst pass at once, then makes the caller wait for the rate', () => {
    const clock = new VirtualClock()
    const bucket = new TokenBucket({ rate: 1000, burst: 500, clock })
    expect(bucket.tryTake(500)).toBe(0)
    expect(bucket.tryTake(100)).toBe(100) // 100 bytes at 1000 B/s
    expect(bucket.available).toBe(0)
  })

  it('refills with time, never beyond the burst', async () => {
    const clock = new VirtualClock()
    const bucket = new TokenBucket({ rate: 1000, burst: 500, clock })
    bucket.tryTake(500)
    await clock.advance(250)
    expect(bucket.available).toBeCloseTo(250)
    await clock.advance(10_000)
    expect(bucket.available).toBe(500)
  })

  it('take() waits on the clock and resolves once the tokens exist', async () => {
    const clock = new VirtualClock()
    const bucket = new TokenBucket({ rate: 1000, burst: 100, clock })
    bucket.tryTake(100)
    let done = false
    const taking = bucket.take(100).then(() => (done = true))
    await clock.advance(50)
    expect(done).toBe(false)
    await clock.advance(60)
    await taking
    expect(done).toBe(true)
  })

  it('a take larger than the burst passes when the bucket is full and leaves a debt', () => {
    const clock = new VirtualClock()
    const bucket = new TokenBucket({ rate: 1000, burst: 100, clock })
    expect(bucket.tryTake(300)).toBe(0)
    expect(bucket.available).toBe(-200)
    expect(bucket.tryTake(1)).toBe(201)
  })

  it('never passes more than rate x time + burst, however it is asked', async () => {
    const clock = new VirtualClock()
    const rate = 2_000_000
    const bucket = new TokenBucket({ rate, clock })
    let passed = 0
    for (let step = 0; step < 2000; step++) {
      while (bucket.tryTake(65536) === 0) passed += 65536
      await clock.advance(7)
      const elapsed = (step + 1) * 7
      expect(passed).toBeLessThanOrEqual((rate * elapsed) / 1000 + bucket.burst)
    }
    // ...and it does not starve either: at least the rate minus one block.
    expect(passed).toBeGreaterThan((rate * 14) - 65536)
  })

  it('rejects a rate that is not positive', () => {
    expect(() => new TokenBucket({ rate: 0 })).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }))
  })
})
