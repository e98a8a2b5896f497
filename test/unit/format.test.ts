import { describe, expect, it } from 'vitest'
import { formatBytes, formatPeers, formatRate, percentDone } from '../../core/format.ts'

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [-5, '0 B'],
    [Number.NaN, '0 B'],
    [1, '1 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [1234, '1.2 kB'],
    [9949, '9.9 kB'],
    [9950, '10 kB'],
    [999_499, '999 kB'],
    [999_500, '1.0 MB'],
    [5_000_000_000, '5.0 GB'],
    [12_345_678_901_234, '12 TB'],
    [1e21, '1000000 PB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text)
  })
})

describe('formatRate', () => {
  it('appends /s and rounds fractional bytes', () => {
    expect(formatRate(12_300_000)).toBe('12 MB/s')
    expect(formatRate(0.4)).toBe('0 B/s')
    expect(formatRate(999.7)).toBe('1.0 kB/s')
  })
})

describe('percentDone', () => {
  it('rounds down so that 100 means complete', () => {
    expect(percentDone(999, 1000)).toBe(99)
    expect(percentDone(1000, 1000)).toBe(100)
    expect(percentDone(250, 1000)).toBe(25)
  })

  it('reads an unknown or empty total as 0 and clamps overshoot', () => {
    expect(percentDone(10, 0)).toBe(0)
    expect(percentDone(0, 0)).toBe(0)
    expect(percentDone(2000, 1000)).toBe(100)
  })
})

describe('formatPeers', () => {
  it('uses the singular for one peer', () => {
    expect(formatPeers(0)).toBe('0 peers')
    expect(formatPeers(1)).toBe('1 peer')
    expect(formatPeers(7)).toBe('7 peers')
  })
})
