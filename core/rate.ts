/**
 * Parses bandwidth limits such as `2MB/s`, `500KB/s`, `40Mbit/s`, `1.5MiB/s`. MB, KB, GB and
 * Mbit are decimal (as links are sold); MiB, KiB and GiB are binary. `/s` is optional.
 * Units are case-insensitive, so `Mbps`/`MBps` are refused rather than guessed: bits and bytes
 * differ by 8x and a lower-case b is easily mistyped; `Mbit/s` says it plainly.
 */
import { ShoalError } from './errors.ts'

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  kbit: 1e3 / 8,
  mbit: 1e6 / 8,
  gbit: 1e9 / 8,
}

/** Bytes per second. */
export function parseRate(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)(?:\/s)?\s*$/i.exec(text)
  const factor = match ? UNITS[match[2]!.toLowerCase()] : undefined
  const value = match ? Number(match[1]) * (factor ?? NaN) : NaN
  if (!match || factor === undefined || !(value > 0) || !Number.isFinite(value)) {
    throw new ShoalError('BAD_INPUT', `not a rate: "${text}" (examples: 2MB/s, 500KB/s, 40Mbit/s, 1MiB/s)`)
  }
  return value
}
