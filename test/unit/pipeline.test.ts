import { describe, expect, it } from 'vitest'
import { MAX_PIPELINE_BLOCKS, MIN_PIPELINE_BLOCKS, REQUEST_TIMEOUT_BASE_MS, pipelineDepth, requestTimeoutMs } from '../../core/pipeline.ts'

const block = 64 * 1024

describe('pipelineDepth', () => {
  it('keeps the minimum before any rate is known', () => {
    expect(pipelineDepth({ rate: 0, rttMs: Infinity, blockSize: block })).toBe(MIN_PIPELINE_BLOCKS)
  })

  it('grows with bandwidth x delay', () => {
    const slow = pipelineDepth({ rate: 10e6, rttMs: 20, blockSize: block })
    const farther = pipelineDepth({ rate: 10e6, rttMs: 200, blockSize: block })
    const faster = pipelineDepth({ rate: 20e6, rttMs: 200, blockSize: block })
    expect(slow).toBe(Math.ceil((10e6 * 0.27) / block))
    expect(farther).toBeGreaterThan(slow)
    expect(faster).toBeGreaterThan(farther)
  })

  it('is capped so one peer cannot hoard the requests', () => {
    expect(pipelineDepth({ rate: 1e9, rttMs: 100, blockSize: block })).toBe(MAX_PIPELINE_BLOCKS)
  })
})

describe('requestTimeoutMs', () => {
  it('grows with the bytes queued ahead of the request', () => {
    expect(requestTimeoutMs(0)).toBe(REQUEST_TIMEOUT_BASE_MS)
    expect(requestTimeoutMs(64 * 1024)).toBe(REQUEST_TIMEOUT_BASE_MS + 1000)
    expect(requestTimeoutMs(8 * 1024 * 1024)).toBeGreaterThan(requestTimeoutMs(1024 * 1024))
  })
})
