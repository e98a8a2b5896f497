/**
 * Parses bandwidth limits such as `2MB/s`, `500KB/s`, `40Mbit/s`, `1.5MiB/s`, and sizes such as
 * `2GB`. MB, KB, GB and
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
  return parseAmount(text, true) ?? fail(`not a rate: "${text}" (examples: 2MB/s, 500KB/s, 40Mbit/s, 1MiB/s)`)
}

/** Bytes, e.g. a cache cap: `2GB`, `500MiB`. */
export function parseSize(text: string): number {
  return parseAmount(text, false) ?? fail(`not a size: "${text}" (examples: 2GB, 500MB, 1.5GiB)`)
}

function parseAmount(text: string, perSecond: boolean): number | undefined {
  const pattern = perSecond ? /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)(?:\/s)?\s*$/i : /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i
  const match = pattern.exec(text)
  const factor = match ? UNITS[match[2]!.toLowerCase()] : undefined
  const value = match && factor !== undefined ? Number(match[1]) * factor : NaN
  return value > 0 && Number.isFinite(value) ? value : undefined
}

function fail(message: string): never {
  throw new ShoalError('BAD_INPUT', message)
}
