/**
 * The whole path in real Chromium: a Node seeder (`shoal seed`) feeds browser A over WebRTC;
 * the seeder stops; browser B, opened afterwards, completes from A alone. Both saved files
 * must match the original by SHA-256.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Page, expect, test } from '@playwright/test'
import { type CliRun, runCli } from '../support/cli.ts'
// For the type of window.shoal, the page's read-only automation hook.
import type {} from '../../web/automation-hook.ts'
import { watchForProblems } from './problems.ts'
import { saveAndHash, useDownloadSave } from './saving.ts'

const SIZE = 16 * 1024 * 1024
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')

let dir: string
let tracker: CliRun

test.beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-e2e-'))
  tracker = runCli(['serve', '--port', '0'])
  await tracker.waitFor('listening')
})

test.afterAll(async () => {
  tracker?.child.kill('SIGTERM')
  await tracker?.exit
  await rm(dir, { recursive: true, force: true })
})

async function waitUntilComplete(page: Page): Promise<void> {
  await expect(page.getByRole('progressbar', { name: 'Download progress' })).toHaveAttribute('aria-valuenow', '100', {
    timeout: 120_000,
  })
  await expect(page.getByRole('button', { name: 'Save', exact: true })).toBeEnabled()
}


test('browser B completes from browser A after the Node seeder has gone', async ({ browser }) => {
  const data = new Uint8Array(randomBytes(SIZE))
  const file = join(dir, 'build-artifact.bin')
  await writeFile(file, data)
  const seeder = runCli(['seed', file, '--tracker', String((await tracker.waitFor('listening')).url)])
  const link = String((await seeder.waitFor('seeding')).link)

  const contextA = await browser.newContext({ acceptDownloads: true })
  await useDownloadSave(contextA)
  const pageA = await contextA.newPage()
  const problemsA = watchForProblems(pageA)
  await pageA.goto(link)
  await expect(pageA.getByRole('heading', { name: 'build-artifact.bin' })).toBeVisible()
  await waitUntilComplete(pageA)
  // The read-only automation hook that benchmarks poll agrees with the view.
  const hook = await pageA.evaluate(() => ({ peerId: window.shoal?.peerId, stats: window.shoal?.stats() }))
  expect(hook.peerId).toMatch(/^[0-9a-f]{32}$/)
  expect(hook.stats).toMatchObject({ complete: true, size: SIZE, verifiedBytes: SIZE })
  expect(hook.stats?.verifiedPieces).toBe(hook.stats?.pieceCount)

  seeder.child.kill('SIGTERM')
  const stopped = await seeder.waitFor('stopped')
  expect((await seeder.exit).code).toBe(0)
  expect(stopped.uploaded as number).toBeGreaterThanOrEqual(SIZE)

  // Only A holds the file now: B's every byte comes from another browser.
  const contextB = await browser.newContext({ acceptDownloads: true })
  await useDownloadSave(contextB)
  const pageB = await contextB.newPage()
  const problemsB = watchForProblems(pageB)
  await pageB.goto(link)
  await waitUntilComplete(pageB)

  const savedB = await saveAndHash(pageB)
  expect(savedB).toEqual({ name: 'build-artifact.bin', sha256: sha256(data) })
  const savedA = await saveAndHash(pageA)
  expect(savedA).toEqual({ name: 'build-artifact.bin', sha256: sha256(data) })

  expect(problemsA).toEqual([])
  expect(problemsB).toEqual([])
  await contextA.close()
  await contextB.close()
})
