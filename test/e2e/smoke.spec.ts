/**
 * The built app, served by the real `shoal serve`, loads and renders with no console error,
 * page error or failed request. This catches a missing Node shim ("global is not defined",
 * "process is not defined") or relative asset URLs. It checks the share page at `/`, and the
 * download page's plain answers to an unknown link or a bad parameter.
 */
import { expect, test } from '@playwright/test'
import { type CliRun, runCli } from '../support/cli.ts'
import { watchForProblems } from './problems.ts'

let tracker: CliRun
let url: string

test.beforeAll(async () => {
  tracker = runCli(['serve', '--port', '0'])
  url = String((await tracker.waitFor('listening')).url)
})

test.afterAll(async () => {
  tracker?.child.kill('SIGTERM')
  await tracker?.exit
})

test('the app renders at / as the share page', async ({ page }) => {
  const problems = watchForProblems(page)
  await page.goto(`${url}/`)

  await expect(page).toHaveTitle('Shoal')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Share a file')
  await expect(page.getByLabel('Choose a file')).toBeEnabled()
  await expect(page.getByText('Open a share link')).toBeVisible()
  expect(problems).toEqual([])
})

const cases = [
  { label: 'an unknown /s/<id>', path: `/s/${'ab'.repeat(32)}`, says: 'does not know' },
  { label: 'a link with a bad upload-limit', path: `/s/${'ab'.repeat(32)}?upload-limit=fast`, says: `the link's upload-limit: not a rate: "fast"` },
]

for (const { label, path, says } of cases) {
  test(`the app renders at ${label} and explains what is wrong`, async ({ page }) => {
    const problems = watchForProblems(page)
    await page.goto(`${url}${path}`)

    await expect(page).toHaveTitle('Shoal')
    const bar = page.getByRole('progressbar', { name: 'Download progress' })
    await expect(bar).toBeVisible()
    await expect(bar).toHaveAttribute('aria-valuemin', '0')
    await expect(bar).toHaveAttribute('aria-valuemax', '100')
    await expect(bar).toHaveAttribute('aria-valuenow', '0')
    await expect(page.getByRole('alert')).toContainText(says)
    await expect(page.getByRole('button', { name: 'Save', exact: true })).toBeDisabled()
    expect(problems).toEqual([])
  })
}
