import { describe, expect, it } from 'vitest'
import { bandwidthLimiters } from '../../core/bandwidth-limits.ts'
import { limitsFromSearch } from '../../web/limit-params.ts'

describe('bandwidthLimiters', () => {
  it('makes one bucket per direction that was given', () => {
    const limits = bandwidthLimiters({ upload: '2MB/s', download: '40Mbit/s' })
    expect(limits.uploadLimiter?.rate).toBe(2_000_000)
    expect(limits.downloadLimiter?.rate).toBe(5_000_000)
    expect(bandwidthLimiters({ upload: '1MiB/s' })).toEqual({ uploadLimiter: expect.anything() })
    expect(bandwidthLimiters({})).toEqual({})
  })

  it('names the setting the user typed in its BAD_INPUT error', () => {
    expect(() => bandwidthLimiters({ download: 'fast' }, { upload: '--upload-limit', download: '--download-limit' })).toThrow(
      /^--download-limit: not a rate: "fast"/,
    )
    expect(() => bandwidthLimiters({ upload: '' })).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }))
  })
})

describe('limitsFromSearch (the page URL parameters)', () => {
  it('reads upload-limit and download-limit', () => {
    const limits = limitsFromSearch('?upload-limit=2MB/s&download-limit=500KB%2Fs')
    expect(limits.uploadLimiter?.rate).toBe(2_000_000)
    expect(limits.downloadLimiter?.rate).toBe(500_000)
  })

  it('means no limit when a parameter is absent or empty', () => {
    expect(limitsFromSearch('')).toEqual({})
    expect(limitsFromSearch('?upload-limit=&other=1')).toEqual({})
  })

  it('rejects a value that is not a rate, naming the parameter', () => {
    expect(() => limitsFromSearch('?upload-limit=lots')).toThrow(/^the link's upload-limit: not a rate: "lots"/)
  })
})
