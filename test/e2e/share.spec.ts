/**
 * Sharing from a browser, end to end in real Chromium: page A picks a file on the tracker's
 * `/`; a worker hashes it, the page publishes it and seeds it from the File. Page B (its own
 * browser profile) opens the share link and downloads it from A, and so does `shoal get`.
 * Every copy must match the original by SHA-256. Also the page's plain answers to an empty file
 * and to a file changed on disk while it is shared.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { type CliRun, runCli } from '../support/cli.ts'
// For the type of window.shoal, the page's read-only automation hook.
import type {} from '../../web/automation-hook.ts'
import { watchForProblems } from './problems.ts'
import { saveAndHash, useDownloadSave } from './saving.ts'

const SIZE = 16 * 1024 * 1024
const NAME = 'shared-from-a-tab.bin'
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')

let dir: string
let tracker: CliRun
let url: string

test.beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-e2e-share-'))
  tracker = runCli(['serve', '--port', '0'])
  url = String((await tracker.waitFor('listening')).url)
})

test.afterAll(async () => {
  tracker?.child.kill('SIGTERM')
  await tracker?.exit
  await rm(dir, { recursive: true, force: true })
})

test('a file shared from one page is downloaded by a second page and by shoal get', async ({ browser }) => {
  const data = new Uint8Array(randomBytes(SIZE))
  const original = join(dir, NAME)
  await writeFile(original, data)

  const contextA = await browser.newContext()
  const pageA = await contextA.newPage()
  const problemsA = watchForProblems(pageA)
  await pageA.goto(url)
  await expect(pageA.getByText('Open a share link')).toBeVisible()

  // Hashing happens in a worker, not on the page's thread.
  const hashWorker = pageA.waitForEvent('worker')
  await pageA.getByLabel('Choose a file').setInputFiles(original)
  expect((await hashWorker).url()).toMatch(/hash-worker/)

  const linkField = pageA.getByRole('textbox', { name: 'Share link' })
  await expect(linkField).toHaveValue(new RegExp(`^${url}/s/[0-9a-f]{64}$`), { timeout: 60_000 })
  const link = await linkField.inputValue()
  await expect(pageA.getByRole('link', { name: 'Open the download page' })).toHaveAttribute('href', link)
  await expect(pageA.getByRole('heading', { level: 1 })).toHaveText(NAME)
  await expect(pageA.getByRole('progressbar', { name: 'Hashing progress' })).toBeHidden()

  const contextB = await browser.newContext({ acceptDownloads: true })
  await useDownloadSave(contextB)
  const pageB = await contextB.newPage()
  const problemsB = watchForProblems(pageB)
  await pageB.goto(link)
  await expect(pageB.getByRole('heading', { level: 1 })).toHaveText(NAME)
  await expect(pageB.getByRole('progressbar', { name: 'Download progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 120_000 })
  expect(await saveAndHash(pageB)).toEqual({ name: NAME, sha256: sha256(data) })

  // Only A had the file: every byte B holds came from A's tab.
  const statsA = await pageA.evaluate(() => window.shoal?.stats())
  expect(statsA).toMatchObject({ complete: true, size: SIZE })
  expect(statsA!.uploadedBytes).toBeGreaterThanOrEqual(SIZE)
  await expect(pageA.getByRole('status')).toContainText('Keep this tab open')

  const get = runCli(['get', link, '--output', join(dir, 'got.bin')])
  const done = await get.waitFor('done')
  expect((await get.exit).code).toBe(0)
  expect(done).toMatchObject({ size: SIZE, sha256: sha256(data) })
  expect(sha256(await readFile(String(done.path)))).toBe(sha256(data))

  expect(problemsA).toEqual([])
  expect(problemsB).toEqual([])
  await contextA.close()
  await contextB.close()
})

test('an empty file dropped on the page is refused with a plain message, and the picker is offered again', async ({ page }) => {
  const problems = watchForProblems(page)
  await page.goto(url)
  const dataTransfer = await page.evaluateHandle(() => {
    const transfer = new DataTransfer()
    transfer.items.add(new File([], 'empty.txt'))
    return transfer
  })
  await page.getByText('or drop it on this page').dispatchEvent('drop', { dataTransfer })
  await expect(page.getByRole('alert')).toHaveText('empty.txt is empty: there is nothing to share.')
  await expect(page.getByLabel('Choose a file')).toBeEnabled()
  expect(problems).toEqual([])
})

test('a file changed on disk while shared stops the sharing with a plain message', async ({ browser }) => {
  const original = join(dir, 'changing.bin')
  await writeFile(original, new Uint8Array(randomBytes(1024 * 1024)))
  const context = await browser.newContext()
  const page = await context.newPage()
  const problems = watchForProblems(page)
  await page.goto(url)
  await page.getByLabel('Choose a file').setInputFiles(original)
  const link = await page.getByRole('textbox', { name: 'Share link' }).inputValue({ timeout: 60_000 })

  // The browser refuses to read a picked file that changed since it was picked.
  await writeFile(original, new Uint8Array(randomBytes(1024 * 1024)))
  const get = runCli(['get', link, '--output', join(dir, 'never.bin'), '--timeout', '30'])
  await expect(page.getByRole('alert')).toHaveText('changing.bin can no longer be read: was it changed, moved or deleted? Pick it again to share it.', {
    timeout: 60_000,
  })
  await expect(page.getByLabel('Choose a file')).toBeEnabled()
  get.child.kill('SIGTERM')
  await get.exit
  expect(problems).toEqual([])
  await context.close()
})
