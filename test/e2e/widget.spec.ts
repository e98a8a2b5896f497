/**
 * The embeddable widget on another site: a portal page, served from a second origin, loads
 * /widget.js from the tracker and embeds two `<shoal-download>` tags, each fed by a Node seeder.
 * Both complete, fire their events in order, and Save yields the seeded bytes. A portal whose
 * origin the tracker was not started with (`--allow-origin`) gets a clear shoal-error at once.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Page, expect, test } from '@playwright/test'
import { type CliRun, runCli } from '../support/cli.ts'
import { randomData, sha256Of } from '../support/data.ts'
import { REPO, WEB_DIST } from './paths.ts'
import { watchForProblems } from './problems.ts'
import { useDownloadSave } from './saving.ts'
import { type StaticServer, serveStatic } from './static-server.ts'

const FILES = [
  { name: 'first file.bin', size: 3 * 1024 * 1024 + 17 },
  { name: 'second.iso', size: 5 * 1024 * 1024 },
].map((file) => ({ ...file, data: randomData(file.size) }))

interface Recorded {
  type: string
  id: string
  detail: { verifiedBytes?: number; complete?: boolean; code?: string; message?: string; peerShare?: number }
}

let dir: string
let portal: StaticServer
let otherPortal: StaticServer
let tracker: CliRun
let trackerUrl: string
const seeders: CliRun[] = []
const links: string[] = []

/** Records every widget event on the page, from before the widget script runs. */
const RECORDER = `<script>
  window.recorded = []
  for (const type of ['shoal-progress', 'shoal-complete', 'shoal-error'])
    document.addEventListener(type, (event) => window.recorded.push({ type, id: event.target.id, detail: event.detail }))
</script>`

function portalPage(scriptSrc: string, tags: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Portal</title><link rel="icon" href="data:,">
<style>p { color: red } button { background: lime }</style>
${RECORDER}<script type="module" src="${scriptSrc}"></script></head><body><h1>Downloads</h1>${tags}</body></html>`
}

test.beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-e2e-widget-'))
  const portalDir = join(dir, 'portal')
  const otherDir = join(dir, 'other')
  await Promise.all([mkdir(portalDir), mkdir(otherDir)])
  portal = await serveStatic(portalDir)
  otherPortal = await serveStatic(otherDir)
  tracker = runCli(['serve', '--port', '0', '--allow-origin', portal.url])
  trackerUrl = String((await tracker.waitFor('listening')).url)
  for (const file of FILES) {
    const path = join(dir, file.name)
    await writeFile(path, file.data)
    const seeder = runCli(['seed', path, '--tracker', trackerUrl])
    seeders.push(seeder)
    links.push(String((await seeder.waitFor('seeding')).link))
  }
  await writeFile(
    join(portalDir, 'index.html'),
    portalPage(
      `${trackerUrl}/widget.js`,
      `<shoal-download id="one" link="${links[0]}" autostart></shoal-download>
       <shoal-download id="two" swarm="${links[1]!.split('/s/')[1]}" tracker="${trackerUrl}" upload-limit="4MB/s" autostart></shoal-download>`,
    ),
  )
  await writeFile(
    join(portalDir, 'manual.html'),
    portalPage(`${trackerUrl}/widget.js`, `<input id="search" aria-label="Search"><shoal-download id="manual" link="${links[1]}"></shoal-download>`),
  )
  // A portal the tracker does not serve hosts its own copy of the script (it could not load the tracker's).
  await copyFile(join(WEB_DIST, 'widget.js'), join(otherDir, 'widget.js'))
  await writeFile(join(otherDir, 'index.html'), portalPage('/widget.js', `<shoal-download id="refused" link="${links[0]}" autostart></shoal-download>`))
})

test.afterAll(async () => {
  for (const run of [...seeders, tracker]) {
    run?.child.kill('SIGTERM')
    await run?.exit
  }
  await Promise.all([portal?.close(), otherPortal?.close()])
  await rm(dir, { recursive: true, force: true })
})

const recorded = (page: Page) => page.evaluate(() => (window as unknown as { recorded: Recorded[] }).recorded)

test('two widgets on a portal of another origin complete, report in order and save byte-identical files', async ({ browser }) => {
  const context = await browser.newContext({ acceptDownloads: true })
  await useDownloadSave(context)
  const page = await context.newPage()
  const problems = watchForProblems(page)
  await page.goto(portal.url)

  for (const id of ['one', 'two']) {
    const widget = page.locator(`#${id}`)
    await expect(widget.getByRole('progressbar', { name: 'Download progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 120_000 })
    await expect(widget.getByRole('button', { name: 'Save' })).toBeEnabled()
  }
  await expect(page.locator('#one').getByRole('status')).toContainText('Complete')

  const events = await recorded(page)
  for (const id of ['one', 'two']) {
    const mine = events.filter((event) => event.id === id)
    expect(mine.map((event) => event.type).at(-1), `events of #${id}`).toBe('shoal-complete')
    expect(mine.filter((event) => event.type === 'shoal-complete')).toHaveLength(1)
    const progress = mine.slice(0, -1)
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.every((event) => event.type === 'shoal-progress')).toBe(true)
    const bytes = progress.map((event) => event.detail.verifiedBytes ?? -1)
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b))
    // One seeder per file: every byte came from a seed, none from other peers.
    expect(mine.at(-1)!.detail).toMatchObject({ complete: true, peerShare: 0 })
  }

  // The JS API answers too.
  const stats = await page.evaluate(() => document.querySelector('shoal-download')!.stats())
  expect(stats).toMatchObject({ state: 'seeding', complete: true, name: FILES[0]!.name, size: FILES[0]!.size })

  for (const [index, id] of ['one', 'two'].entries()) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`#${id}`).getByRole('button', { name: 'Save' }).click()])
    expect(download.suggestedFilename()).toBe(FILES[index]!.name)
    expect(sha256Of(new Uint8Array(await readFile(await download.path())))).toBe(sha256Of(FILES[index]!.data))
  }

  // The portal's styles do not reach inside; the widget's own do not leak out.
  const colors = await page.evaluate(() => ({
    inside: getComputedStyle(document.querySelector('shoal-download')!.shadowRoot!.querySelector('p')!).color,
    heading: getComputedStyle(document.querySelector('h1')!).color,
  }))
  expect(colors.inside).not.toBe('rgb(255, 0, 0)')
  expect(colors.heading).toBe('rgb(0, 0, 0)')
  // The picture in the README: the two finished widgets on the portal page.
  await page.locator('#one').screenshot({ path: join(REPO, 'docs', 'widget.png') })
  expect(problems).toEqual([])
  await context.close()
})

test('without autostart the widget waits for its Download button (keyboard) and obeys pause() and start()', async ({ browser }) => {
  const context = await browser.newContext()
  const page = await context.newPage()
  const problems = watchForProblems(page)
  await page.goto(`${portal.url}/manual.html`)
  const widget = page.locator('#manual')
  await expect(widget.getByRole('group', { name: `Download: ${FILES[1]!.name}` })).toBeVisible()
  await expect(widget.getByRole('status')).toHaveText('Ready to download.')
  expect(await recorded(page)).toEqual([])

  await page.locator('#search').focus()
  await page.keyboard.press('Tab')
  await expect(widget.getByRole('button', { name: 'Download' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect.poll(() => page.evaluate(() => document.querySelector('shoal-download')!.stats()?.state)).toMatch(/downloading|seeding/)

  await page.evaluate(() => document.querySelector('shoal-download')!.pause())
  const paused = await page.evaluate(() => document.querySelector('shoal-download')!.stats()?.state)
  // Already complete (a 5 MiB file from this origin's storage is quick) leaves nothing to pause.
  expect(['paused', 'seeding']).toContain(paused)
  await page.evaluate(() => document.querySelector('shoal-download')!.start())
  await expect(widget.getByRole('progressbar', { name: 'Download progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 120_000 })
  const types = (await recorded(page)).map((event) => event.type)
  expect(types.at(-1)).toBe('shoal-complete')
  expect(types.filter((type) => type === 'shoal-error')).toEqual([])
  expect(problems).toEqual([])
  await context.close()
})

test('a portal origin the tracker does not allow gets a clear shoal-error, not a hang', async ({ browser }) => {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(otherPortal.url)
  await expect.poll(async () => (await recorded(page)).map((event) => event.type), { timeout: 15_000 }).toEqual(['shoal-error'])
  const [error] = await recorded(page)
  expect(error!.detail.code).toBe('ORIGIN_NOT_ALLOWED')
  await expect(page.locator('#refused').getByRole('alert')).toContainText(`--allow-origin ${otherPortal.url}`)
  await context.close()
})

test('the tracker sends CORS headers to allowed origins only', async () => {
  const allowed = await fetch(`${trackerUrl}/widget.js`, { headers: { Origin: portal.url } })
  expect(allowed.headers.get('access-control-allow-origin')).toBe(portal.url)
  await allowed.arrayBuffer()
  const refused = await fetch(`${trackerUrl}/widget.js`, { headers: { Origin: otherPortal.url } })
  expect(refused.headers.get('access-control-allow-origin')).toBeNull()
  await refused.arrayBuffer()
})
