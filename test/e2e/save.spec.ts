/**
 * Saving a finished file from a real Chromium page, by each of the app's streaming paths: the
 * service worker's `/download/<id>` (no File System Access API) and a save picker's file
 * written piece by piece. A Node seeder (`shoal seed`) feeds each page. Also: what the
 * download URL answers for a file the browser does not have whole.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, type Page, expect, test } from '@playwright/test'
import { type CliRun, runCli } from '../support/cli.ts'
// For the type of window.shoal, the page's read-only automation hook.
import type {} from '../../web/automation-hook.ts'
import { watchForProblems } from './problems.ts'
import { opfsFileHash, saveAndHash, useDownloadSave, useOpfsSavePicker } from './saving.ts'

const SIZE = 8 * 1024 * 1024
const NAME = 'release build (1).bin'
const data = new Uint8Array(randomBytes(SIZE))
const SHA256 = createHash('sha256').update(data).digest('hex')

let dir: string
let tracker: CliRun
let seeder: CliRun
let trackerUrl: string
let link: string
let swarmId: string

test.beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-e2e-save-'))
  tracker = runCli(['serve', '--port', '0'])
  trackerUrl = String((await tracker.waitFor('listening')).url)
  const file = join(dir, NAME)
  await writeFile(file, data)
  seeder = runCli(['seed', file, '--tracker', trackerUrl])
  const seeding = await seeder.waitFor('seeding')
  link = String(seeding.link)
  swarmId = String(seeding.id)
})

test.afterAll(async () => {
  for (const run of [seeder, tracker]) {
    run?.child.kill('SIGTERM')
    await run?.exit
  }
  await rm(dir, { recursive: true, force: true })
})

async function openComplete(context: BrowserContext): Promise<Page> {
  const page = await context.newPage()
  await page.goto(link)
  await expect(page.getByRole('progressbar', { name: 'Download progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 120_000 })
  await expect(page.getByRole('button', { name: 'Save', exact: true })).toBeEnabled()
  return page
}

/** The worker takes over the page it was registered from (clients.claim), not only later loads. */
async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
}

test('without File System Access, Save downloads the file streamed by the service worker', async ({ browser }) => {
  const context = await browser.newContext({ acceptDownloads: true })
  await useDownloadSave(context)
  const page = await openComplete(context)
  const problems = watchForProblems(page)
  await waitForServiceWorker(page)
  const served = page.waitForResponse((response) => response.url() === `${trackerUrl}/download/${swarmId}` && response.request().isNavigationRequest())

  expect(await saveAndHash(page)).toEqual({ name: NAME, sha256: SHA256 })
  const response = await served
  expect(response.fromServiceWorker()).toBe(true)
  expect(response.headers()['content-length']).toBe(String(SIZE))
  expect(problems).toEqual([])
  await context.close()
})

test('with File System Access, Save writes the pieces into the picked file', async ({ browser }) => {
  const context = await browser.newContext({ acceptDownloads: true })
  await useOpfsSavePicker(context)
  const page = await openComplete(context)
  const problems = watchForProblems(page)
  const downloads: string[] = []
  page.on('download', (download) => downloads.push(download.url()))

  await page.getByRole('button', { name: 'Save', exact: true }).click()
  // The file appears at its full size only when the writable closes and moves it into place.
  await expect.poll(() => opfsFileHash(page, NAME), { timeout: 30_000 }).toEqual({ size: SIZE, sha256: SHA256 })
  expect(await page.evaluate(() => (window as unknown as { pickedNames: string[] }).pickedNames)).toEqual([NAME])
  expect(downloads).toEqual([])
  expect(problems).toEqual([])
  await context.close()
})

test('the download URL explains, rather than breaks, for a file the browser does not have whole', async ({ browser }) => {
  const context = await browser.newContext()
  const page = await context.newPage()
  // Slow enough that the page is caught part way: 8 MiB takes about 16 s.
  await page.goto(`${link}?download-limit=512KiB/s`)
  await waitForServiceWorker(page)
  await expect.poll(() => page.evaluate(() => window.shoal?.stats().verifiedPieces ?? 0), { timeout: 30_000 }).toBeGreaterThan(0)

  const ask = (id: string) =>
    page.evaluate(async (url) => {
      const response = await fetch(url)
      return { status: response.status, type: response.headers.get('content-type'), text: await response.text() }
    }, `/download/${id}`)
  const partial = await ask(swarmId)
  expect(partial.status).toBe(409)
  expect(partial.type).toContain('text/plain')
  expect(partial.text).toMatch(new RegExp(`^${NAME.replace(/[()]/g, '\\$&')} is not complete in this browser yet \\(\\d+ of 32 pieces\\)`))

  const unknown = await ask('cd'.repeat(32))
  expect(unknown.status).toBe(404)
  expect(unknown.text).toContain('This browser holds no file with id')

  // Without a service worker in the way, the server says where downloads come from.
  const direct = await page.request.get(`${trackerUrl}/download/${swarmId}`)
  expect(direct.status()).toBe(404)
  expect(await direct.text()).toContain("downloads are served by the page's service worker")
  await context.close()
})
