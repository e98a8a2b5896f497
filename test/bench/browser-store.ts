/**
 * Benchmark `browser-store`: is the browser's side of a download ever slower than the data
 * channel feeding it? In Chromium it measures IndexedDB piece writes and reads through
 * IdbChunkStore, SHA-256 of a picked file in the share page's hash worker, and, as the
 * yardstick in the same run, the raw data channel rate Node → Chromium (the path a page
 * downloading from `shoal seed` receives on). Every throughput is reported as a ratio to that
 * rate (target > 1: the store is never the bottleneck). Then one large download from a real
 * `shoal seed` into the real app page shows the peak JS heap growth against the 64 MiB bound.
 *
 * Knobs: SHOAL_BENCH_STORE_MIB (bytes written, read and hashed per sample; default 256),
 * SHOAL_BENCH_STORE_ROUNDS (3), SHOAL_BENCH_LINK_MIB (raw data channel sample; 64),
 * SHOAL_BENCH_STORE_DOWNLOAD_MIB (the download; default 1024, 0 skips it),
 * SHOAL_WEB_BUILT=1 (dist/web is current: skip building it).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from '@playwright/test'
import { build } from 'vite'
import { manifestId } from '../../core/manifest.ts'
import { manifestOfFile } from '../../worker/hash.ts'
import { serveHarness } from '../e2e/harness.ts'
import { launchChromium } from '../support/chromium.ts'
import type { BenchResult } from './bench-result.ts'
import { megabytesPerSecond, round } from './stats.ts'
import { heapOfDownload } from './store/heap-download.ts'
import { launchProfile } from '../support/chromium-profile.ts'
import { writeRandomFile } from './store/random-file.ts'
import { type RawBaseline, rawBaseline } from './store/raw-baseline.ts'
import { type BracketedDownload, type SampleKind, type StoreSample, storeReport } from './store/report.ts'
import { type StorePage, openStorePage } from './store/store-page.ts'

const MIB = 1024 * 1024
const PAGE_ROOT = fileURLToPath(new URL('./page/', import.meta.url))
const VITE_CONFIG = fileURLToPath(new URL('../../vite.config.ts', import.meta.url))

const STORE_BYTES = Number(process.env.SHOAL_BENCH_STORE_MIB ?? 256) * MIB
const ROUNDS = Number(process.env.SHOAL_BENCH_STORE_ROUNDS ?? 3)
const RAW_BYTES = Number(process.env.SHOAL_BENCH_LINK_MIB ?? 64) * MIB
const DOWNLOAD_BYTES = Number(process.env.SHOAL_BENCH_STORE_DOWNLOAD_MIB ?? 1024) * MIB
/** What choosePieceSize picks for a 1-2 GiB file: the store pays one transaction per piece. */
const PIECE_SIZE = 1 * MIB

export async function browserStore(): Promise<BenchResult> {
  // `shoal serve` hosts dist/web: build it first so the download measures the current page.
  if (DOWNLOAD_BYTES > 0 && process.env.SHOAL_WEB_BUILT !== '1') await build({ configFile: VITE_CONFIG, logLevel: 'warn' })
  const dir = await mkdtemp(join(tmpdir(), 'shoal-bench-store-'))
  const server = await serveHarness(PAGE_ROOT)
  const pageUrl = `${server.url}/`
  const samples: StoreSample[] = []
  const record: Recorder = (kind, r, timed) => {
    samples.push({ kind, round: r, bytes: timed.bytes, ms: Math.round(timed.ms), mbps: rate(timed) })
    process.stdout.write(`  #${r} ${kind}: ${samples.at(-1)!.mbps} MB/s\n`)
  }
  let browser: Browser | undefined
  let chromium: string | undefined
  let hashPieceSize: number | undefined
  let download: BracketedDownload | undefined
  try {
    const shared = join(dir, 'share-me.bin')
    await writeRandomFile(shared, STORE_BYTES)
    const expectedId = await manifestId(await manifestOfFile(shared))
    browser = await launchChromium()
    chromium = browser.version()
    const raw = await rawBaseline(browser, pageUrl, RAW_BYTES)
    try {
      for (let r = 1; r <= ROUNDS; r++) {
        const steps = [
          async () => record('raw', r, await raw.sample(`raw-${r}`)),
          async () => {
            const profile = await launchProfile()
            try {
              const lab = await openStorePage(profile.context, pageUrl, 'profile page')
              await measureStore(lab, 'profile', r, record)
              hashPieceSize = await measureHash(lab, shared, expectedId, r, record)
            } finally {
              await profile.close()
            }
          },
          async () => {
            const context = await browser!.newContext()
            try {
              await measureStore(await openStorePage(context, pageUrl, 'private page'), 'private', r, record)
            } finally {
              await context.close()
            }
          },
        ]
        // Rotate the order each round, so a slow drift in the machine favours no measurement.
        for (let i = 0; i < steps.length; i++) await steps[(i + r - 1) % steps.length]!()
      }
      if (DOWNLOAD_BYTES > 0) {
        // A raw sample right before and right after: the download's own yardstick, on the machine as busy as it was.
        const before = await raw.sample('raw-download-before')
        process.stdout.write(`  downloading ${DOWNLOAD_BYTES / MIB} MiB from shoal seed into the app page\n`)
        const measured = await heapOfDownload(DOWNLOAD_BYTES)
        const after = await raw.sample('raw-download-after')
        download = { ...measured, rawBefore: rate(before), rawAfter: rate(after) }
        process.stdout.write(
          `  download: ${rate(measured)} MB/s (raw before ${download.rawBefore}, after ${download.rawAfter}), JS heap growth ${round(measured.growthBytes / MIB, 1)} MiB\n`,
        )
      }
    } finally {
      await raw.dispose()
    }
  } finally {
    await browser?.close().catch(() => undefined)
    await server.close()
    await rm(dir, { recursive: true, force: true })
  }
  return storeReport({
    samples,
    download,
    config: { storeBytes: STORE_BYTES, pieceSize: PIECE_SIZE, hashPieceSize, rounds: ROUNDS, rawBytes: RAW_BYTES, downloadBytes: DOWNLOAD_BYTES, chromium },
  })
}

function rate(timed: { bytes: number; ms: number }): number {
  return round(megabytesPerSecond(timed.bytes, timed.ms), 2)
}

type Recorder = (kind: SampleKind, round: number, timed: { bytes: number; ms: number }) => void

/** Writes then reads STORE_BYTES of pieces in a page of a fresh context, whose IndexedDB is empty. */
async function measureStore(lab: StorePage, backing: 'profile' | 'private', r: number, record: Recorder): Promise<void> {
  await lab.prepare(STORE_BYTES / PIECE_SIZE, PIECE_SIZE)
  const swarmId = `bench-round-${r}`
  record(`write-${backing}`, r, await lab.write(swarmId))
  record(`read-${backing}`, r, await lab.read(swarmId))
  await lab.release()
}

/** Hashes the file at `path` in the hash worker, picked in the page as a user would; answers the piece size it used. */
async function measureHash(lab: StorePage, path: string, expectedId: string, r: number, record: Recorder): Promise<number> {
  await lab.pick(path)
  const hashed = await lab.hashPicked()
  if (hashed.id !== expectedId) throw new Error('the hash worker built another manifest than Node did for the same file')
  record('hash', r, hashed)
  return hashed.pieceSize
}
