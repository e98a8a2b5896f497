/**
 * The web/ modules in a real Chromium, through the harness page (test/e2e/harness): the
 * view's accessible contract, IndexedDB persistence across a reload, saving the file as a
 * download, and simple-peer bundled with the app's shims opening a WebRTC data channel.
 */
import { readFile } from 'node:fs/promises'
import { expect, test } from '@playwright/test'
import type { Harness } from './harness/entry.ts'
import { serveHarness } from './harness.ts'
import type { StaticServer } from './static-server.ts'

type HarnessWindow = { shoalHarness: Harness }

let server: StaticServer | undefined

test.beforeAll(async () => {
  server = await serveHarness()
})

test.afterAll(async () => {
  await server?.close()
})

let pageErrors: string[] = []

test.beforeEach(async ({ page }) => {
  pageErrors = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await page.goto(`${server!.url}/`)
  await page.waitForFunction(() => 'shoalHarness' in window)
})

test.afterEach(() => {
  expect(pageErrors).toEqual([])
})

test('the view exposes progress, status, errors and Save accessibly', async ({ page }) => {
  await page.evaluate(() => {
    const { createView } = (window as unknown as HarnessWindow).shoalHarness
    const view = createView(document.getElementById('app')!)
    ;(window as unknown as { view: unknown }).view = view
    view.onSave(() => document.body.setAttribute('data-saved', 'yes'))
    view.update({
      name: '<img src=x onerror=alert(1)>.iso',
      size: 5_000_000_000,
      verifiedBytes: 1_250_000_000,
      totalBytes: 5_000_000_000,
      downloadRate: 12_300_000,
      uploadRate: 1_000,
      peers: 3,
      status: 'downloading',
    })
  })
  const bar = page.getByRole('progressbar', { name: 'Download progress' })
  await expect(bar).toHaveAttribute('aria-valuenow', '25')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('<img src=x onerror=alert(1)>.iso')
  await expect(page.locator('img')).toHaveCount(0)
  await expect(page.getByText('5.0 GB', { exact: true })).toBeVisible()
  await expect(page.getByText('12 MB/s')).toBeVisible()
  await expect(page.getByRole('status')).toHaveText('Downloading from 3 peers')
  await expect(page.getByRole('alert')).toHaveText('')
  const save = page.getByRole('button', { name: 'Save', exact: true })
  await expect(save).toBeDisabled()

  await page.evaluate(() => {
    const { view } = window as unknown as { view: ReturnType<Harness['createView']> }
    view.update({ name: 'a.iso', size: 10, verifiedBytes: 10, totalBytes: 10, downloadRate: 0, uploadRate: 0, peers: 1, status: 'seeding' })
  })
  await expect(bar).toHaveAttribute('aria-valuenow', '100')
  await expect(save).toBeEnabled()
  await save.click()
  await expect(page.locator('body')).toHaveAttribute('data-saved', 'yes')

  await page.evaluate(() => {
    const { view } = window as unknown as { view: ReturnType<Harness['createView']> }
    view.update({ verifiedBytes: 0, totalBytes: 0, downloadRate: 0, uploadRate: 0, peers: 0, status: 'error', error: 'Browser storage is full.' })
  })
  await expect(page.getByRole('alert')).toHaveText('Browser storage is full.')
  await expect(save).toBeDisabled()
})

test('IdbChunkStore keeps verified pieces and the manifest across a reload', async ({ page }) => {
  const first = await page.evaluate(async () => {
    const { IdbChunkStore } = (window as unknown as HarnessWindow).shoalHarness
    const store = await IdbChunkStore.open('swarm-a', 3)
    const before = store.verified.count
    await store.write(0, new Uint8Array([1, 2, 3, 4]))
    await store.write(2, new Uint8Array([9, 8]))
    await store.saveManifest('{"name":"a"}')
    const slice = Array.from(await store.read(0, 1, 2))
    const missing = await store.read(1, 0, 1).then(() => 'read', (err: { code?: string }) => err.code)
    const outside = await store.read(2, 1, 5).then(() => 'read', (err: { code?: string }) => err.code)
    await store.close()
    // Another swarm's pieces must not leak into this one.
    const other = await IdbChunkStore.open('swarm-b', 3)
    const otherCount = other.verified.count
    await other.close()
    return { before, slice, missing, outside, otherCount }
  })
  expect(first).toEqual({ before: 0, slice: [2, 3], missing: 'NOT_FOUND', outside: 'NOT_FOUND', otherCount: 0 })

  await page.reload()
  await page.waitForFunction(() => 'shoalHarness' in window)

  const resumed = await page.evaluate(async () => {
    const { IdbChunkStore } = (window as unknown as HarnessWindow).shoalHarness
    const manifest = await IdbChunkStore.loadManifest('swarm-a')
    const unknown = await IdbChunkStore.loadManifest('swarm-z')
    const store = await IdbChunkStore.open('swarm-a', 3)
    const pieces = [...store.verified.indices()]
    const piece2 = Array.from(await store.read(2, 0, 2))
    const badWrite = await store.write(3, new Uint8Array(1)).then(() => 'wrote', (err: { code?: string }) => err.code)
    await store.close()
    return { manifest, unknown: unknown ?? null, pieces, piece2, badWrite }
  })
  expect(resumed).toEqual({ manifest: '{"name":"a"}', unknown: null, pieces: [0, 2], piece2: [9, 8], badWrite: 'BAD_INPUT' })
})

test('cached files: listed newest first, in-use ones kept, least recently used evicted to fit a cap', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const h = (window as unknown as HarnessWindow).shoalHarness
    const names = (list: { name: string }[]) => list.map((s) => s.name)
    const KiB16 = 16 * 1024
    const old = await h.cacheSwarm('old.iso', 4)
    const middle = await h.cacheSwarm('middle.iso', 4, 2)
    const fresh = await h.cacheSwarm('fresh.iso', 4)
    const listed = await h.listCachedSwarms()
    // This tab drives `old`: it must survive eviction and refuse removal.
    await h.acquireSwarmLock(old, () => {})
    const inUse = (await h.listCachedSwarms()).filter((s) => s.inUse).map((s) => s.name)
    const refused = await h.removeCachedSwarm(old).then(() => 'removed', (err: { code?: string }) => err.code)
    // 10 pieces stored; room for 4 more under a cap of 12 means 2 must go: `middle` (2, LRU after old).
    const evicted = await h.evictForCap({ capBytes: 12 * KiB16, neededBytes: 4 * KiB16, keep: fresh })
    const afterEvict = names(await h.listCachedSwarms())
    await h.removeCachedSwarm(fresh)
    const afterRemove = names(await h.listCachedSwarms())
    const freshStore = await h.IdbChunkStore.open(fresh, 4)
    const freshPieces = freshStore.verified.count
    await freshStore.close()
    return {
      listed: listed.map((s) => ({ name: s.name, storedBytes: s.storedBytes, complete: s.complete })),
      inUse,
      refused,
      evicted,
      afterEvict,
      afterRemove,
      freshPieces,
      middle,
    }
  })
  expect(result.listed).toEqual([
    { name: 'fresh.iso', storedBytes: 4 * 16384, complete: true },
    { name: 'middle.iso', storedBytes: 2 * 16384, complete: false },
    { name: 'old.iso', storedBytes: 4 * 16384, complete: true },
  ])
  expect(result.inUse).toEqual(['old.iso'])
  expect(result.refused).toBe('BAD_INPUT')
  expect(result.evicted).toEqual(['middle.iso'])
  expect(result.afterEvict).toEqual(['fresh.iso', 'old.iso'])
  expect(result.afterRemove).toEqual(['old.iso'])
  expect(result.freshPieces).toBe(0)
})

test('saveFile downloads the pieces as one file', async ({ page }) => {
  const download = page.waitForEvent('download')
  const refused = await page.evaluate(async () => {
    const { IdbChunkStore, saveFile } = (window as unknown as HarnessWindow).shoalHarness
    // Headless Chromium's save picker cancels at once: take the download path.
    delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker
    const store = await IdbChunkStore.open('swarm-save', 3)
    await store.write(0, new TextEncoder().encode('hello '))
    const early = await saveFile(store, 'early.txt', 3).then(() => 'saved', (err: { code?: string }) => err.code)
    await store.write(1, new TextEncoder().encode('shoal '))
    await store.write(2, new TextEncoder().encode('world'))
    await saveFile(store, 'hello.txt', 3)
    await store.close()
    return early
  })
  expect(refused).toBe('NOT_FOUND')
  const file = await download
  expect(file.suggestedFilename()).toBe('hello.txt')
  expect(await readFile(await file.path(), 'utf8')).toBe('hello shoal world')
})

test('simple-peer, bundled with the shims, opens a data channel in Chromium', async ({ page }) => {
  const result = await page.evaluate(() => (window as unknown as HarnessWindow).shoalHarness.loopbackPeers(30_000))
  expect(result.message).toBe('ping')
  // Inside the test namespace the only non-loopback address is the veth end 198.18.0.1.
  if (process.env.SHOAL_NETNS) expect(result.candidates.join('\n')).toContain('198.18.0.1')
})
