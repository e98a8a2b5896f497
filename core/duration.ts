/** Parses lifetimes such as `90s`, `30m`, `1h`, `7d` (a bare number is seconds). */
import { ShoalError } from './errors.ts'

const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 }

/** Seconds; a positive whole number of a unit. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(text)
  const seconds = match ? Number(match[1]) * SECONDS[(match[2] || 's').toLowerCase()]! : NaN
  if (!(seconds > 0) || !Number.isSafeInteger(seconds)) {
    throw new ShoalError('BAD_INPUT', `not a duration: "${text}" (examples: 90s, 30m, 1h, 7d)`)
  }
  return seconds
}
