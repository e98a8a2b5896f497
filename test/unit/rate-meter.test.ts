import { describe, expect, it } from 'vitest'
import { RateMeter } from '../../core/rate-meter.ts'
import { VirtualClock } from '../support/virtual-clock.ts'

describe('RateMeter', () => {
  it('reads a steady rate correctly, young or old', async () => {
    const clock = new VirtualClock(0)
    const meter = new RateMeter(clock)
    for (let ms = 0; ms < 500; ms += 10) {
      meter.record(10_000) // 1 MB/s
      await clock.advance(10)
    }
    expect(meter.rate()).toBeCloseTo(1_000_000, -4)
    for (let ms = 0; ms < 8000; ms += 10) {
      meter.record(10_000)
      await clock.advance(10)
    }
    expect(meter.rate()).toBeGreaterThan(800_000)
    expect(meter.rate()).toBeLessThanOrEqual(1_000_000)
    expect(meter.total).toBe(850 * 10_000)
  })

  it('reads a young meter from its first round trips, not from a quarter second', async () => {
    // 64 KiB every 5 ms (13 MB/s) for 50 ms: pipelines are sized from this reading, and one that
    // divided by a quarter second would read a fifth of the rate and ramp up five times slower.
    const clock = new VirtualClock(0)
    const meter = new RateMeter(clock)
    for (let ms = 0; ms < 50; ms += 5) {
      await clock.advance(5)
      meter.record(65_536)
    }
    expect(meter.rate()).toBeCloseTo(13_107_200, -5)
  })

  it('falls to zero when nothing arrives for a whole window', async () => {
    const clock = new VirtualClock(0)
    const meter = new RateMeter(clock)
    meter.record(1_000_000)
    await clock.advance(6000)
    expect(meter.rate()).toBe(0)
  })
})
