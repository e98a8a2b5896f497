/**
 * A 1 GiB download into a real Chromium tab from a `shoal seed`: the tab's JS heap must not
 * grow with the file (pieces go to IndexedDB as Blobs, saving streams them), and the saved
 * file must match the original by SHA-256.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { once } from 'node:events'
import { expect, test } from '@playwright/test'
// For the type of window.shoal, the page's read-only automation hook.
import type {} from '../../web/automation-hook.ts'
import { watchForProblems } from './problems.ts'
import { launchProfile } from '../support/chromium-profile.ts'
import { useDownloadSave } from './saving.ts'
import { type Tracker, seedFile, startTracker } from './seeding.ts'

const MiB = 1024 * 1024
const SIZE = 1024 * MiB
/** The bound on heap growth over the whole download. */
const MAX_HEAP_GROWTH = 64 * MiB
/** A page that runs a task longer than this (hashing, storing on the main thread) feels frozen. */
const MAX_LONG_TASK_MS = 200
const HEAP_SAMPLE_MS = 250

let tracker: Tracker

test.beforeAll(async () => {
  tracker = await startTracker()
})

test.afterAll(async () => {
  await tracker?.close()
})

/** Streams random bytes to `path`, returning their SHA-256: 1 GiB never sits in this process. */
async function writeRandomFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256')
  const out = createWriteStream(path)
  for (let written = 0; written < size; written += MiB) {
    const chunk = randomBytes(Math.min(MiB, size - written))
    hash.update(chunk)
    if (!out.write(chunk)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
  return hash.digest('hex')
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

test('1 GiB into a tab: heap growth stays under 64 MiB and the saved file matches', async () => {
  test.setTimeout(15 * 60_000)
  const file = join(tracker.dir, 'disk-image.img')
  const sha256 = await writeRandomFile(file, SIZE)
  const seeder = await seedFile(tracker, file)

  // A profile on disk, as a user's browser has: a test context is off the record, and Chromium
  // then keeps IndexedDB, Blobs included, in memory.
  const profile = await launchProfile()
  const { context } = profile
  await useDownloadSave(context)
  await context.addInitScript(() => {
    const tasks: { start: number; duration: number }[] = []
    ;(window as unknown as { longTasks: typeof tasks }).longTasks = tasks
    new PerformanceObserver((list) => tasks.push(...list.getEntries().map((e) => ({ start: e.startTime, duration: e.duration })))).observe({
      type: 'longtask',
      buffered: true,
    })
  })
  const page = await context.newPage()
  const problems = watchForProblems(page)
  const cdp = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  const heapUsed = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics')
    return metrics.find((m) => m.name === 'JSHeapUsedSize')!.value
  }

  await page.goto(seeder.link)
  await page.waitForFunction(() => window.shoal !== undefined)
  // Baseline after a full collection: anything above it later is growth, garbage included.
  await cdp.send('HeapProfiler.collectGarbage')
  const baseline = await heapUsed()
  // Long tasks count from here: loading the page is not the download.
  const downloadStart = await page.evaluate(() => performance.now())
  let peak = baseline
  let complete = false
  while (!complete) {
    peak = Math.max(peak, await heapUsed())
    complete = await page.evaluate(() => window.shoal!.stats().complete)
    if (!complete) await page.waitForTimeout(HEAP_SAMPLE_MS)
  }
  const growth = peak - baseline
  console.log(`1 GiB download: JS heap baseline ${(baseline / MiB).toFixed(1)} MiB, peak ${(peak / MiB).toFixed(1)} MiB, growth ${(growth / MiB).toFixed(1)} MiB`)
  expect(growth).toBeLessThan(MAX_HEAP_GROWTH)
  const longTasks = await page.evaluate(
    (since) => (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter((t) => t.start >= since).map((t) => t.duration),
    downloadStart,
  )
  console.log(`1 GiB download: ${longTasks.length} tasks over 50 ms, longest ${Math.round(Math.max(0, ...longTasks))} ms`)
  expect(Math.max(0, ...longTasks)).toBeLessThanOrEqual(MAX_LONG_TASK_MS)

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save', exact: true }).click()])
  expect(download.suggestedFilename()).toBe('disk-image.img')
  expect(await sha256OfFile(await download.path())).toBe(sha256)
  expect(await seeder.stop()).toBeGreaterThanOrEqual(SIZE)
  expect(problems).toEqual([])
  await profile.close()
})
