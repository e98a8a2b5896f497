import { describe, expect, it } from 'vitest'
import { isShoalError } from '../../core/errors.ts'
import { parseRate, parseSize } from '../../core/rate.ts'

describe('parseRate', () => {
  it.each([
    // Decimal units, as links are sold.
    ['2MB/s', 2_000_000],
    ['500KB/s', 500_000],
    ['1GB/s', 1_000_000_000],
    ['100B/s', 100],
    // Binary units.
    ['1MiB/s', 1024 * 1024],
    ['1.5MiB/s', 1.5 * 1024 * 1024],
    ['64KiB/s', 64 * 1024],
    ['1GiB/s', 1024 ** 3],
    // Bits: a megabit is 10^6 bits, an eighth of a decimal megabyte.
    ['40Mbit/s', 5_000_000],
    ['8kbit/s', 1000],
    ['1Gbit/s', 125_000_000],
    // Spelling that people type.
    ['2mb/s', 2_000_000],
    ['2MB', 2_000_000],
    [' 2 MB/s ', 2_000_000],
    ['0.5MB/s', 500_000],
  ])('%s → %d bytes/s', (text, bytesPerSecond) => {
    expect(parseRate(text)).toBe(bytesPerSecond)
  })

  it.each(['', 'fast', '2', 'MB/s', '2XB/s', '0MB/s', '0.0KiB/s', '-1MB/s', '1e3MB/s', '2MB/min', '2 M B/s', '2MBps', '2Mbps', '.5MB/s', 'Infinity MB/s'])(
    'rejects %j with BAD_INPUT and examples of what works',
    (text) => {
      let error: unknown
      try {
        parseRate(text)
      } catch (err) {
        error = err
      }
      expect(isShoalError(error, 'BAD_INPUT')).toBe(true)
      expect((error as Error).message).toContain(`"${text}"`)
      expect((error as Error).message).toContain('2MB/s')
    },
  )
})

describe('parseSize', () => {
  it('reads decimal and binary sizes', () => {
    expect(parseSize('2GB')).toBe(2e9)
    expect(parseSize('500 MiB')).toBe(500 * 1024 ** 2)
    expect(parseSize('1.5gib')).toBe(1.5 * 1024 ** 3)
  })

  it('refuses rates, zero and nonsense with a clear error', () => {
    for (const bad of ['2MB/s', '0GB', 'lots', '', '5']) expect(() => parseSize(bad)).toThrow(/not a size/)
  })
})
