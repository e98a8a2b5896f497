/**
 * Peak JS heap growth of the real app page while it downloads a large file from a real
 * `shoal seed`, read through CDP as test/e2e/large-download.spec.ts does, in a browser with a
 * profile on disk (profile.ts) like a user's. The pieces go to IndexedDB as Blobs, so the heap
 * should not grow with the file.
 */
import { join } from 'node:path'
import type { BrowserContext } from '@playwright/test'
// For the type of window.shoal, the page's read-only automation hook.
import type {} from '../../../web/automation-hook.ts'
import { seedFile, startTracker } from '../../e2e/seeding.ts'
import { launchProfile } from '../../support/chromium-profile.ts'
import { writeRandomFile } from './random-file.ts'

const SAMPLE_MS = 250
const JOIN_TIMEOUT_MS = 60_000
const COMPLETE_TIMEOUT_MS = 20 * 60_000

export interface HeapSample {
  /** Seconds since the page joined. */
  t: number
  heapBytes: number
  verifiedBytes: number
}

export interface HeapDownload {
  bytes: number
  /** JSHeapUsedSize after a full garbage collection, once the page joined the swarm. */
  baselineBytes: number
  peakBytes: number
  growthBytes: number
  /** From joining (window.shoal appeared) to complete: the end-to-end download, store writes included. */
  ms: number
  seederUploadedBytes: number
  problems: string[]
  samples: HeapSample[]
}

export async function heapOfDownload(size: number): Promise<HeapDownload> {
  const tracker = await startTracker()
  try {
    const file = join(tracker.dir, 'disk-image.img')
    await writeRandomFile(file, size)
    const seeder = await seedFile(tracker, file)
    let stopped = false
    const stopSeeder = async () => {
      if (stopped) return 0
      stopped = true
      return seeder.stop()
    }
    const profile = await launchProfile()
    try {
      const measured = await measure(profile.context, seeder.link)
      return { ...measured, bytes: size, seederUploadedBytes: await stopSeeder() }
    } finally {
      await profile.close()
      await stopSeeder().catch(() => undefined)
    }
  } finally {
    await tracker.close()
  }
}

async function measure(context: BrowserContext, link: string): Promise<Omit<HeapDownload, 'bytes' | 'seederUploadedBytes'>> {
  const page = context.pages()[0] ?? (await context.newPage())
  const problems: string[] = []
  page.on('pageerror', (err) => problems.push(err.message))
  page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`))
  const cdp = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  const heapUsed = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics')
    return metrics.find((m) => m.name === 'JSHeapUsedSize')!.value
  }
  await page.goto(link)
  await page.waitForFunction(() => window.shoal !== undefined, undefined, { timeout: JOIN_TIMEOUT_MS })
  const joined = performance.now()
  // Baseline after a full collection: anything above it later is growth, garbage included.
  await cdp.send('HeapProfiler.collectGarbage')
  const baselineBytes = await heapUsed()
  let peakBytes = baselineBytes
  const samples: HeapSample[] = []
  for (;;) {
    const heapBytes = await heapUsed()
    const stats = await page.evaluate(() => window.shoal!.stats())
    peakBytes = Math.max(peakBytes, heapBytes)
    samples.push({ t: Math.round(performance.now() - joined) / 1000, heapBytes, verifiedBytes: stats.verifiedBytes })
    if (stats.complete) {
      if (stats.verifiedPieces !== stats.pieceCount) throw new Error(`complete with ${stats.verifiedPieces} of ${stats.pieceCount} pieces verified`)
      break
    }
    if (performance.now() - joined > COMPLETE_TIMEOUT_MS) throw new Error(`the download did not complete in ${COMPLETE_TIMEOUT_MS / 60_000} min (${stats.verifiedBytes} bytes verified)`)
    await page.waitForTimeout(SAMPLE_MS)
  }
  return { baselineBytes, peakBytes, growthBytes: peakBytes - baselineBytes, ms: performance.now() - joined, problems, samples }
}
