import { describe, expect, it } from 'vitest'
import { parseDuration } from '../../core/duration.ts'
import { isShoalError } from '../../core/errors.ts'

describe('parseDuration', () => {
  it.each([
    ['90s', 90],
    ['30m', 1800],
    ['1h', 3600],
    ['7d', 604_800],
    ['2H', 7200],
    [' 45 ', 45],
  ])('%s → %d s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds)
  })

  it.each(['', '0h', '-1h', '1.5h', '1w', 'h', '1 hour', '1e3s', '99999999999999999d'])('refuses %j', (text) => {
    let error: unknown
    try {
      parseDuration(text)
    } catch (err) {
      error = err
    }
    expect(isShoalError(error, 'BAD_INPUT')).toBe(true)
  })
})
