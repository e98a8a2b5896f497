/**
 * Human-readable numbers for the page and the CLI. Decimal units (1 kB = 1000 B), as disks and network
 * links are sold, so "5 GB" here matches what the user was told about the file.
 */
const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const

/** `1234567` → `"1.2 MB"`: three significant digits at most, whole bytes below 1 kB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B'
  let value = bytes
  let unit = 0
  while (value >= 999.5 && unit < UNITS.length - 1) {
    value /= 1000
    unit++
  }
  if (unit === 0) return `${Math.round(value)} B`
  const digits = value < 9.95 ? 1 : 0
  return `${value.toFixed(digits)} ${UNITS[unit]}`
}

/** Bytes per second → `"12 MB/s"`. */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`
}

/**
 * Whole percent done, rounded down so that 100 means every byte is verified, never "almost".
 * An unknown total reads as 0.
 */
export function percentDone(done: number, total: number): number {
  if (!(total > 0) || !(done > 0)) return 0
  return Math.min(100, Math.floor((done / total) * 100))
}

/** `"1 peer"`, `"3 peers"`. */
export function formatPeers(count: number): string {
  return count === 1 ? '1 peer' : `${Math.max(0, Math.trunc(count))} peers`
}
