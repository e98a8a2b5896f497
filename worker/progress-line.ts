/**
 * The text of the CLI's live progress line, as pure functions of the numbers and the terminal
 * width, so the reporter only decides when to draw and tests need no terminal.
 */
import { formatBytes, formatPeers, formatRate, percentDone } from '../core/format.ts'

export interface ProgressUpdate {
  /** `hashing`, `checking`, `downloading`. */
  label: string
  done: number
  total: number
  /** Bytes per second; for a download, what arrives from peers. */
  rate?: number
  peers?: number
  /** Bytes this run received from peers holding the whole file when they sent them. */
  fromSeeds?: number
  /** Bytes this run received from peers that were still downloading themselves. */
  fromPeers?: number
}

/** While seeding: what this process has served since it started. */
export interface SeedingUpdate {
  uploaded: number
  uploadRate: number
  peers: number
}

const LABEL_WIDTH = 11
const SEPARATOR = ' | '
const FULL_BAR = 30
const MIN_BAR = 10
const BAR_DONE = '\u2588'
const BAR_LEFT = '\u2591'
/** An ETA beyond this says nothing useful; show it as unknown. */
const MAX_ETA_SECONDS = 100 * 3600

/** `"0:42"`, `"12:05"`, `"1:02:03"`; `"--"` while the rate is unknown or too low to mean anything. */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0 || seconds >= MAX_ETA_SECONDS) return '--'
  const s = Math.ceil(seconds)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const ss = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

/** Seconds left at `rate`, or undefined when nothing is arriving. */
export function etaSeconds(done: number, total: number, rate: number | undefined): number | undefined {
  if (!(rate !== undefined && rate > 0)) return undefined
  return Math.max(0, total - done) / rate
}

/**
 * `"30% from peers / 70% from seeds"`: where this run's bytes came from. The two always sum to
 * 100; undefined before any byte arrived.
 */
export function formatSplit(fromSeeds: number | undefined, fromPeers: number | undefined): string | undefined {
  const seeds = Math.max(0, fromSeeds ?? 0)
  const peers = Math.max(0, fromPeers ?? 0)
  if (seeds + peers <= 0) return undefined
  const peerPercent = Math.round((peers / (seeds + peers)) * 100)
  return `${peerPercent}% from peers / ${100 - peerPercent}% from seeds`
}

export function progressBar(done: number, total: number, size: number): string {
  const filled = total > 0 ? Math.min(size, Math.max(0, Math.round((done / total) * size))) : 0
  return BAR_DONE.repeat(filled) + BAR_LEFT.repeat(size - filled)
}

/**
 * `downloading ███░░ 42% | 126 MB / 300 MB | 12 MB/s | ETA 0:15 | 3 peers | 30% from peers / 70% from seeds`,
 * fitted into `width` columns: first the bar shrinks, then it goes, then fields from the right
 * (the least telling first), so a narrow terminal never wraps the line.
 */
export function progressLine(update: ProgressUpdate, width: number): string {
  const { done, total } = update
  const fields = [`${formatBytes(done)} / ${formatBytes(total)}`]
  if (update.rate !== undefined) {
    fields.push(formatRate(update.rate))
    if (done < total) fields.push(`ETA ${formatEta(etaSeconds(done, total, update.rate))}`)
  }
  if (update.peers !== undefined) fields.push(formatPeers(update.peers))
  const split = formatSplit(update.fromSeeds, update.fromPeers)
  if (split !== undefined) fields.push(split)
  const head = `${update.label.padEnd(LABEL_WIDTH)} `
  const percent = `${percentDone(done, total)}%`
  return fit(
    (bar, count) => head + (bar > 0 ? `${progressBar(done, total, bar)} ` : '') + [percent, ...fields.slice(0, count)].join(SEPARATOR),
    fields.length,
    width,
  )
}

/** `seeding     42 MB uploaded | 1.2 MB/s | 3 peers`, fitted like progressLine (it has no bar). */
export function seedingLine(update: SeedingUpdate, width: number): string {
  const fields = [formatRate(update.uploadRate), formatPeers(update.peers)]
  const head = `${'seeding'.padEnd(LABEL_WIDTH)} ${formatBytes(update.uploaded)} uploaded`
  return fit((_bar, count) => [head, ...fields.slice(0, count)].join(SEPARATOR), fields.length, width, false)
}

/** The widest rendering that fits: full bar, narrower bar, no bar, then fewer fields. */
function fit(render: (bar: number, fields: number) => string, fieldCount: number, width: number, withBar = true): string {
  // One column spare: writing into the last column makes some terminals wrap.
  const room = Math.max(1, width - 1)
  if (withBar) {
    const bare = render(0, fieldCount).length
    // The bar takes its width plus one space.
    const barRoom = room - bare - 1
    if (barRoom >= MIN_BAR) return render(Math.min(FULL_BAR, barRoom), fieldCount)
  }
  for (let count = fieldCount; count > 0; count--) {
    const line = render(0, count)
    if (line.length <= room) return line
  }
  return render(0, 0).slice(0, room)
}
