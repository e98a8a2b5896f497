import { describe, expect, it } from 'vitest'
import { DeliveryRate } from '../../core/delivery-rate.ts'
import { MAX_PEERS } from '../../core/client/peer-connector.ts'
import { MAX_QUEUED_PER_PEER } from '../../core/uploader.ts'
import { deliveryWindowMs, initialPipelineBlocks, MAX_PIPELINE_BLOCKS, maxPipelineBlocks, MIN_PIPELINE_BLOCKS, neighbourPipelineDepth, PIPELINE_BUDGET_BLOCKS, pipelineDepth } from '../../core/pipeline.ts'
import { RateMeter } from '../../core/rate-meter.ts'
import { VirtualClock } from '../support/virtual-clock.ts'

const BLOCK = 65_536
/** A neighbour sized by its rate alone: it has delivered more than the initial window. */
const SIZED_BY_RATE = { initialBlocks: MIN_PIPELINE_BLOCKS, deliveredBytes: MIN_PIPELINE_BLOCKS * BLOCK, neighbours: MAX_PEERS }

describe('DeliveryRate', () => {
  it('reads a burst after a quiet spell at the burst rate, where the average reads far lower', async () => {
    const clock = new VirtualClock(0)
    const recent = new DeliveryRate(clock)
    const average = new RateMeter(clock)
    // One block a second for 3 s (a neighbour with little to give), then 4 MiB within one 40 ms round trip.
    for (let s = 0; s < 3; s++) {
      recent.record(BLOCK)
      average.record(BLOCK)
      await clock.advance(1000)
    }
    for (let i = 0; i < 64; i++) {
      recent.record(BLOCK)
      average.record(BLOCK)
      if (i % 16 === 15) await clock.advance(10)
    }
    // All 64 blocks over a 50 ms window; the quiet second's block has left it.
    expect(recent.rate(50)).toBe((64 * BLOCK) / 0.05)
    expect(recent.rate(50)).toBeGreaterThan(40 * average.rate())
  })

  it('counts only what is inside the window', async () => {
    const clock = new VirtualClock(0)
    const recent = new DeliveryRate(clock)
    recent.record(100_000)
    await clock.advance(200)
    recent.record(50_000)
    expect(recent.rate(100)).toBe(500_000)
    await clock.advance(100)
    expect(recent.rate(100)).toBe(0)
    // Many deliveries keep only the window's worth.
    for (let i = 0; i < 10_000; i++) {
      await clock.advance(1)
      recent.record(1000)
    }
    expect(recent.rate(100)).toBe(1_000_000)
  })
})

describe('pipeline sizing from a recent window', () => {
  it('opens a fast neighbour up within a round trip, where its average alone would keep it shallow', () => {
    // 4 MiB in the last 40 ms, after a second of little: a few MB/s on average.
    const average = 4e6
    const windowMs = deliveryWindowMs({ rttMs: 40, average, blockSize: BLOCK })
    expect(windowMs).toBeCloseTo((8 * BLOCK * 1000) / average, 6)
    // 4 MiB delivered within whatever window is asked for.
    const recent = { rate: (ms: number) => (64 * BLOCK) / (ms / 1000) }
    const shallow = pipelineDepth({ rate: average, rttMs: 40, blockSize: BLOCK })
    const deep = neighbourPipelineDepth({ average, recent, rttMs: 40, blockSize: BLOCK, ...SIZED_BY_RATE })
    expect(shallow).toBe(18)
    expect(deep).toBeGreaterThan(4 * shallow)
  })

  it('reads a slow link over seconds, so its bursts do not deepen its pipeline', () => {
    // 200 KB/s: eight blocks take 2.6 s; a burst of 10 blocks is a small part of that window.
    const average = 200_000
    const windowMs = deliveryWindowMs({ rttMs: 1, average, blockSize: BLOCK })
    expect(windowMs).toBe(1000)
    // A burst of 10 blocks, within whatever window is asked for.
    const recent = { rate: (ms: number) => (10 * BLOCK) / (ms / 1000) }
    expect(neighbourPipelineDepth({ average, recent, rttMs: 1, blockSize: BLOCK, ...SIZED_BY_RATE })).toBe(pipelineDepth({ rate: 0, rttMs: 1, blockSize: BLOCK }))
  })

  it('asks a new neighbour for up to one piece at once until it has delivered that much, then sizes it by its rate', () => {
    const initialBlocks = initialPipelineBlocks(4 * 1024 * 1024, BLOCK)
    expect(initialBlocks).toBe(64)
    // Small pieces keep the floor; huge ones the ceiling.
    expect(initialPipelineBlocks(256 * 1024, BLOCK)).toBe(MIN_PIPELINE_BLOCKS)
    expect(initialPipelineBlocks(64 * 1024 * 1024, BLOCK)).toBe(MAX_PIPELINE_BLOCKS)
    const idle = { rate: () => 0 }
    const depth = (deliveredBytes: number) => neighbourPipelineDepth({ average: 0, recent: idle, rttMs: 40, blockSize: BLOCK, initialBlocks, deliveredBytes, neighbours: MAX_PEERS })
    expect(depth(0)).toBe(64)
    expect(depth(64 * BLOCK - 1)).toBe(64)
    // Past it, a neighbour that brings nothing is back at the floor.
    expect(depth(64 * BLOCK)).toBe(MIN_PIPELINE_BLOCKS)
    // A fast new neighbour is sized by its rate, not held to the initial window.
    const fast = { rate: () => 300e6 }
    expect(neighbourPipelineDepth({ average: 0, recent: fast, rttMs: 40, blockSize: BLOCK, initialBlocks, deliveredBytes: 0, neighbours: MAX_PEERS })).toBeGreaterThan(64)
  })

  it('lets a peer with few neighbours ask each for more, within what a full set may have requested', () => {
    // 10 GB/s over a 40 ms round trip (plus slack) wants more than any cap.
    const fast = { rate: () => 1e10 }
    const depth = (neighbours: number) => neighbourPipelineDepth({ average: 0, recent: fast, rttMs: 40, blockSize: BLOCK, ...SIZED_BY_RATE, neighbours })
    expect(depth(MAX_PEERS)).toBe(MAX_PIPELINE_BLOCKS)
    expect(depth(12)).toBe(2 * MAX_PIPELINE_BLOCKS)
    for (const n of [1, 5, 12, 13, 24]) expect(depth(n) * n).toBeLessThanOrEqual(PIPELINE_BUDGET_BLOCKS)
    // Never more than a neighbour keeps queued for us: it would reject the rest.
    expect(depth(1)).toBe(MAX_QUEUED_PER_PEER)
    expect(depth(9)).toBe(MAX_QUEUED_PER_PEER)
    expect(depth(10)).toBe(Math.floor(PIPELINE_BUDGET_BLOCKS / 10))
    // Past a full set (accepted dials can overshoot it for a moment), never below the per-neighbour cap.
    expect(maxPipelineBlocks(30)).toBe(MAX_PIPELINE_BLOCKS)
    // A slow neighbour is still sized by its rate.
    expect(neighbourPipelineDepth({ average: 0, recent: { rate: () => 1e6 }, rttMs: 40, blockSize: BLOCK, ...SIZED_BY_RATE, neighbours: 1 })).toBe(pipelineDepth({ rate: 1e6, rttMs: 40, blockSize: BLOCK }))
  })

  it('never reads over less than 50 ms, nor waits for a round trip it has not measured', () => {
    expect(deliveryWindowMs({ rttMs: 1, average: 1e10, blockSize: BLOCK })).toBe(50)
    expect(deliveryWindowMs({ rttMs: Number.POSITIVE_INFINITY, average: 1e10, blockSize: BLOCK })).toBe(50)
    expect(deliveryWindowMs({ rttMs: 120, average: 1e10, blockSize: BLOCK })).toBe(120)
    expect(deliveryWindowMs({ rttMs: 40, average: 0, blockSize: BLOCK })).toBe(1000)
  })
})
