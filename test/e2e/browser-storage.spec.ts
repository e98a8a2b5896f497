/**
 * The browser peer's storage in real Chromium fed by a real `shoal seed`: a reload resumes
 * without fetching verified pieces again, a quota too small pauses the download with a plain
 * message and keeps every stored piece valid, and two tabs on one swarm take turns.
 */
import { type Page, expect, test } from '@playwright/test'
// For the type of window.shoal, the page's read-only automation hook.
import type {} from '../../web/automation-hook.ts'
import { watchForProblems } from './problems.ts'
import { saveAndHash, useDownloadSave } from './saving.ts'
import { type Tracker, seedRandomFile, startTracker } from './seeding.ts'

const MiB = 1024 * 1024

let tracker: Tracker

test.beforeAll(async () => {
  tracker = await startTracker()
})

test.afterAll(async () => {
  await tracker?.close()
})

const stats = (page: Page) => page.evaluate(() => window.shoal!.stats())

async function waitUntilComplete(page: Page): Promise<void> {
  await expect(page.getByRole('progressbar', { name: 'Download progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 120_000 })
}

/**
 * Re-hashes every piece this origin stored for the swarm against the manifest stored with it,
 * straight from IndexedDB: what the quota left behind must be whole, verified pieces.
 */
function checkStoredPieces(page: Page, swarmId: string): Promise<{ stored: number; bad: number[] }> {
  return page.evaluate(async (id) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('shoal')
      open.onsuccess = () => resolve(open.result)
      open.onerror = () => reject(open.error)
    })
    const request = <T,>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => ((r.onsuccess = () => resolve(r.result)), (r.onerror = () => reject(r.error))))
    const tx = db.transaction(['pieces', 'swarms'], 'readonly')
    const record = await request(tx.objectStore('swarms').get(id) as IDBRequest<{ manifest: string }>)
    const range = IDBKeyRange.bound([id, 0], [id, Infinity])
    const keys = (await request(tx.objectStore('pieces').getAllKeys(range))) as [string, number][]
    const blobs = (await request(tx.objectStore('pieces').getAll(range))) as Blob[]
    db.close()
    const hashes = (JSON.parse(record.manifest) as { pieces: string[] }).pieces
    const bad: number[] = []
    for (let i = 0; i < keys.length; i++) {
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blobs[i]!.arrayBuffer()))
      const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
      if (hex !== hashes[keys[i]![1]]) bad.push(keys[i]![1])
    }
    return { stored: keys.length, bad }
  }, swarmId)
}

test('a reload half way resumes from IndexedDB: no verified piece is fetched twice', async ({ browser }) => {
  const size = 32 * MiB
  // 1 MiB pieces, what a 1-2 GiB file gets; the cap makes the reload land mid-download, with
  // the shallowest pipeline (8 blocks, half a piece) in flight when it does.
  const seeder = await seedRandomFile(tracker, 'reload.bin', size, ['--upload-limit', '2MB/s', '--piece-size', '1MiB'])
  const context = await browser.newContext({ acceptDownloads: true })
  await useDownloadSave(context)
  const page = await context.newPage()
  const problems = watchForProblems(page)
  await page.goto(seeder.link)
  await page.waitForFunction((half) => (window.shoal?.stats().verifiedBytes ?? 0) >= half, size / 2, { timeout: 60_000 })
  const before = await stats(page)
  expect(before.complete).toBe(false)

  await page.reload()
  await page.waitForFunction(() => window.shoal !== undefined)
  // Everything verified before the reload is there at once, read back from IndexedDB.
  expect((await stats(page)).verifiedPieces).toBeGreaterThanOrEqual(before.verifiedPieces)
  await waitUntilComplete(page)
  expect(await saveAndHash(page)).toEqual({ name: 'reload.bin', sha256: seeder.sha256 })

  const pieceSize = size / before.pieceCount
  const uploaded = await seeder.stop()
  expect(uploaded).toBeGreaterThanOrEqual(size)
  // What the seeder sent beyond one copy: what was in flight (not yet verified and stored) when the tab reloaded.
  expect(uploaded - size).toBeLessThanOrEqual(pieceSize)
  expect(problems).toEqual([])
  await context.close()
})

test('a quota too small pauses with a clear message, keeps every stored piece, and Resume finishes', async ({ browser }) => {
  const size = 16 * MiB
  const seeder = await seedRandomFile(tracker, 'too-big.bin', size)
  const swarmId = seeder.link.split('/s/')[1]!
  const context = await browser.newContext({ acceptDownloads: true })
  await useDownloadSave(context)
  const page = await context.newPage()
  const problems = watchForProblems(page)
  const cdp = await context.newCDPSession(page)
  const origin = new URL(tracker.url).origin
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 6 * MiB })

  await page.goto(seeder.link)
  await expect(page.getByRole('alert')).toContainText('Browser storage is full', { timeout: 60_000 })
  await expect(page.getByRole('status')).toContainText('Paused')
  const paused = await stats(page)
  expect(paused.paused).toBe(true)
  expect(paused.verifiedPieces).toBeGreaterThan(0)
  expect(paused.verifiedPieces).toBeLessThan(paused.pieceCount)
  const kept = await checkStoredPieces(page, swarmId)
  expect(kept).toEqual({ stored: paused.verifiedPieces, bad: [] })

  // Room again (as if the user freed space): Resume picks up where the quota stopped it.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin })
  await page.getByRole('button', { name: 'Resume' }).click()
  await waitUntilComplete(page)
  expect(await saveAndHash(page)).toEqual({ name: 'too-big.bin', sha256: seeder.sha256 })
  expect(problems).toEqual([])
  await seeder.stop()
  await context.close()
})

test('a second tab on the same swarm waits for the first and takes over when it closes', async ({ browser }) => {
  const size = 16 * MiB
  const seeder = await seedRandomFile(tracker, 'two-tabs.bin', size, ['--upload-limit', '2MB/s'])
  const context = await browser.newContext({ acceptDownloads: true })
  await useDownloadSave(context)
  const first = await context.newPage()
  await first.goto(seeder.link)
  await first.waitForFunction(() => (window.shoal?.stats().verifiedPieces ?? 0) > 0, undefined, { timeout: 60_000 })

  const second = await context.newPage()
  const problems = watchForProblems(second)
  await second.goto(seeder.link)
  await expect(second.getByRole('status')).toContainText('open in another tab')
  // Waiting means not joined: no swarm, no connections, no writes of its own.
  expect(await second.evaluate(() => window.shoal === undefined)).toBe(true)

  await first.close()
  await waitUntilComplete(second)
  expect(await saveAndHash(second)).toEqual({ name: 'two-tabs.bin', sha256: seeder.sha256 })
  await expect(second.getByRole('region', { name: 'Files kept in this browser' })).toContainText('two-tabs.bin')
  expect(problems).toEqual([])
  await seeder.stop()
  await context.close()
})
