/** The `browser-store` table, notes and JSON: every throughput as a ratio to the data channel measured in the same run. */
import type { BenchResult } from '../bench-result.ts'
import { markdownTable } from '../markdown.ts'
import { median, megabytesPerSecond, round } from '../stats.ts'
import type { HeapDownload } from './heap-download.ts'
import { RAW } from './raw-baseline.ts'

const MIB = 1024 * 1024
/** Faster than the data channel feeding it: the store is never what a download waits for. */
const TARGET_RATIO = 1
/** The issue's bound on heap growth over a 1 GiB download (as in test/e2e/large-download.spec.ts). */
const MAX_HEAP_GROWTH = 64 * MIB

export type SampleKind = 'raw' | 'write-profile' | 'read-profile' | 'write-private' | 'read-private' | 'hash'

export interface StoreSample {
  kind: SampleKind
  round: number
  bytes: number
  ms: number
  mbps: number
}

/** The download with a raw data channel sample (MB/s) taken right before and right after it. */
export interface BracketedDownload extends HeapDownload {
  rawBefore: number
  rawAfter: number
}

export interface StoreConfig {
  storeBytes: number
  pieceSize: number
  /** The piece size the hash worker chose for the file (choosePieceSize). */
  hashPieceSize: number | undefined
  rounds: number
  rawBytes: number
  downloadBytes: number
  chromium: string | undefined
}

const LABELS: Record<SampleKind, string> = {
  raw: 'data channel Node → Chromium, raw (baseline)',
  'write-profile': 'IndexedDB write, profile on disk',
  'read-profile': 'IndexedDB read, profile on disk',
  'write-private': 'IndexedDB write, private context (memory)',
  'read-private': 'IndexedDB read, private context (memory)',
  hash: 'SHA-256 in the hash worker',
}

interface Summary {
  kind: SampleKind
  medianMBps: number
  /** Median over rounds of this / raw within the round. */
  ratio: number
  /** Absent for the baseline itself. */
  met?: boolean
}

function summarize(samples: readonly StoreSample[], kind: SampleKind): Summary {
  const mine = samples.filter((s) => s.kind === kind)
  const rawByRound = new Map(samples.filter((s) => s.kind === 'raw').map((s) => [s.round, s.mbps]))
  const ratio = median(mine.flatMap((s) => (rawByRound.has(s.round) ? [s.mbps / rawByRound.get(s.round)!] : [])))
  const medianMBps = round(median(mine.map((s) => s.mbps)), 1)
  return kind === 'raw' ? { kind, medianMBps, ratio: 1 } : { kind, medianMBps, ratio: round(ratio, 2), met: ratio > TARGET_RATIO }
}

export function storeReport(run: { samples: StoreSample[]; download: BracketedDownload | undefined; config: StoreConfig }): BenchResult {
  const { samples, download, config } = run
  const summaries = (Object.keys(LABELS) as SampleKind[]).map((kind) => summarize(samples, kind))
  const rows = summaries.map((s) => [
    s.kind === 'hash' && config.hashPieceSize ? `${LABELS.hash} (${config.hashPieceSize / 1024} KiB pieces)` : LABELS[s.kind],
    `${s.medianMBps.toFixed(1)} MB/s`,
    s.ratio.toFixed(2),
    s.kind === 'raw' ? '' : `> ${TARGET_RATIO}`,
    s.kind === 'raw' ? '' : s.met ? 'yes' : 'NO',
  ])
  const downloadMBps = download && megabytesPerSecond(download.bytes, download.ms)
  const downloadSummary = download && {
    mbps: round(downloadMBps!, 1),
    ratio: round(downloadMBps! / ((download.rawBefore + download.rawAfter) / 2), 2),
    growthMiB: round(download.growthBytes / MIB, 1),
    met: download.growthBytes < MAX_HEAP_GROWTH,
  }
  if (download && downloadSummary) {
    const size = sizeLabel(download.bytes)
    rows.push(
      [`${size} download from shoal seed into the app, end to end`, `${downloadSummary.mbps.toFixed(1)} MB/s`, downloadSummary.ratio.toFixed(2), '', ''],
      [`peak JS heap growth during the ${size} download`, `${downloadSummary.growthMiB.toFixed(1)} MiB`, '', `< ${MAX_HEAP_GROWTH / MIB} MiB`, downloadSummary.met ? 'yes' : 'NO'],
    )
  }
  const table = markdownTable(['measurement', 'median', '× data channel', 'target', 'met?'], rows, ['left', 'right', 'right', 'right', 'left'])
  return {
    name: 'browser-store',
    title: 'Browser store: IndexedDB and hashing against the data channel',
    table,
    notes: notes(config, download),
    json: {
      config: { ...config, raw: RAW, targetRatio: TARGET_RATIO, maxHeapGrowth: MAX_HEAP_GROWTH },
      summaries,
      samples,
      download: download && { ...download, ...downloadSummary },
    },
  }
}

function sizeLabel(bytes: number): string {
  return bytes % (1024 * MIB) === 0 ? `${bytes / (1024 * MIB)} GiB` : `${round(bytes / MIB, 0)} MiB`
}

function notes(config: StoreConfig, download: BracketedDownload | undefined): string {
  const store = sizeLabel(config.storeBytes)
  const pieces = config.storeBytes / config.pieceSize
  return `${config.rounds} rounds; each round takes one sample of everything, in an order rotated from round to round, and
the table shows medians; "× data channel" is the median over rounds of each figure divided by the round's own data
channel sample (the machine's slow swings cancel); the download, measured once, is divided by the mean of two data
channel samples taken right before and right after it. **Data channel**: ${sizeLabel(config.rawBytes)} from a LinkLab in a Node process (@roamhq/wrtc, as \`shoal seed\`) into a bench page,
${RAW.messageSize / 1024} KiB messages straight into the RTCDataChannel while its bufferedAmount is below ${RAW.maxBuffered / MIB} MiB, timed at the page from the
first message to the last, as in \`link\`. **Write**: ${pieces} pieces of ${config.pieceSize / MIB} MiB (${store}, random, generated before timing)
through IdbChunkStore.write one after another, each awaited until its transaction committed, timed from the first
write to the last commit; the engine writes each piece as soon as it verified, so its writes may overlap and this
sequential figure is the conservative one. **Read**: the same pieces through a store opened afresh (empty Blob
cache), readBlob then arrayBuffer of each in order, a few bytes of each compared with what was written; the Blob files
were just written, so they come from the OS page cache rather than the disk. **SHA-256**: hashInWorker (the share
page's path) on a ${store} File picked through an \`<input type=file>\` (a File backed by a file on disk, also in the
page cache), timed from the call to the manifest, worker start included; its manifest id is checked against Node's.
**Profile on disk** is a fresh persistent Chromium profile per round, as a user's browser keeps IndexedDB; **private
context** is Playwright's default (off the record, like a private window), where Chromium keeps IndexedDB in memory
and where the e2e tests run.${download ? ` **Download**: one ${sizeLabel(download.bytes)} file from a real \`shoal seed\` into the real app page (dist/web) in a fresh
profile on disk; JSHeapUsedSize read through CDP every 250 ms from joining to complete, baseline after a forced
garbage collection once \`window.shoal\` appeared; growth = peak − baseline (garbage included), against the issue's
${MAX_HEAP_GROWTH / MIB} MiB bound. Its rate runs from joining to complete (seen at the next 250 ms poll)${download.problems.length ? `; page problems: ${download.problems.slice(0, 5).join('; ')}` : '; no page error'}.` : ''}
Knobs: \`SHOAL_BENCH_STORE_MIB\` (${config.storeBytes / MIB}), \`SHOAL_BENCH_STORE_ROUNDS\` (${config.rounds}), \`SHOAL_BENCH_LINK_MIB\` (${config.rawBytes / MIB}),
\`SHOAL_BENCH_STORE_DOWNLOAD_MIB\` (${config.downloadBytes / MIB}; 0 skips the download), \`SHOAL_WEB_BUILT=1\` (skip building dist/web).${config.chromium ? ` Chromium ${config.chromium}.` : ''}`
}
