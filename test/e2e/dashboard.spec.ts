/**
 * The swarm dashboard during a real transfer: `shoal seed` (upload capped so the transfer lasts
 * about ten seconds) and two `shoal get` over WebRTC, watched at /dashboard. Everything is read
 * from the DOM's data attributes: the node count of the swarm and a flow with a non-zero rate.
 * The screenshot it takes is the one in the README (docs/dashboard.png).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { runCli } from '../support/cli.ts'
import { REPO } from './paths.ts'
import { watchForProblems } from './problems.ts'
import { seedRandomFile, startTracker, type Tracker } from './seeding.ts'

const SIZE = 32 * 1024 * 1024

let tracker: Tracker
test.beforeAll(async () => {
  tracker = await startTracker()
})
test.afterAll(async () => {
  await tracker?.close()
})

test('shows every peer of a swarm and the data flowing between them, live', async ({ page }) => {
  const problems = watchForProblems(page)
  await page.setViewportSize({ width: 1280, height: 760 })
  await page.goto(`${tracker.url}/dashboard`)
  await expect(page).toHaveTitle('Shoal · swarm dashboard')
  await expect(page.locator('#status')).toHaveAttribute('data-state', 'live')

  const seeder = await seedRandomFile(tracker, 'dashboard.bin', SIZE, ['--upload-limit', '3MB/s'])
  const id = seeder.link.split('/s/')[1]!
  const gets = [1, 2].map((n) => runCli(['get', seeder.link, '-o', join(tracker.dir, `copy-${n}.bin`)]))
  try {
    const swarm = page.locator(`section.swarm[data-swarm="${id.slice(0, 12)}"]`)
    await expect(swarm).toBeVisible()
    await expect(swarm.locator('.node')).toHaveCount(3)
    await expect(swarm).toHaveAttribute('data-peers', '3')
    await expect(swarm.locator('.node[data-kind="origin"]')).toHaveCount(1)
    await expect(swarm.getByRole('heading', { level: 2 })).toHaveText('dashboard.bin')
    // A live flow: an edge with a rate above zero while both downloads run.
    await expect.poll(async () => Math.max(0, ...(await swarm.locator('.edge').evaluateAll((edges) => edges.map((e) => Number(e.getAttribute('data-rate')))))), {
      timeout: 20_000,
    }).toBeGreaterThan(0)
    // The accessible alternatives carry the same facts.
    await expect(swarm.locator('[aria-live="polite"]')).toContainText('3 peers')
    await expect(swarm.locator('table tbody tr')).toHaveCount(3)

    // For the README: wait for a picture with flows between the leechers too, if the swarm gets there.
    await expect.poll(() => swarm.locator('.edge').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2).catch(() => undefined)
    await page.waitForTimeout(1500) // let the layout settle; not an assertion
    await mkdir(join(REPO, 'docs'), { recursive: true })
    await page.screenshot({ path: join(REPO, 'docs', 'dashboard.png') })

    for (const get of gets) expect((await get.waitFor('done')).size).toBe(SIZE)
    expect(problems).toEqual([])
  } finally {
    for (const get of gets) get.child.kill('SIGTERM')
    await seeder.stop()
  }
})

test('says plainly that a private tracker has no dashboard', async ({ page }) => {
  const problems = watchForProblems(page)
  const run = runCli(['serve', '--port', '0', '--auth-secret', 'x'.repeat(32)])
  try {
    const url = String((await run.waitFor('listening')).url)
    await page.goto(`${url}/dashboard`)
    await expect(page.locator('#status')).toHaveText('the dashboard is off on a private tracker (--auth-secret)')
    await expect(page.locator('#status')).toHaveAttribute('data-state', 'down')
    expect(problems).toEqual([])
  } finally {
    run.child.kill('SIGTERM')
    await run.exit
  }
})
