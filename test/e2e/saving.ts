/**
 * How end-to-end tests take a finished file out of a page: click Save and catch the browser
 * download. Call useDownloadSave on a context before its pages load, so the app takes its
 * download path (a headless test cannot answer the File System Access save picker).
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { BrowserContext, Page } from '@playwright/test'

export async function useDownloadSave(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker
  })
}

/** Clicks Save and returns the downloaded file's name and SHA-256. */
export async function saveAndHash(page: Page): Promise<{ name: string; sha256: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save', exact: true }).click()])
  const path = await download.path()
  return { name: download.suggestedFilename(), sha256: createHash('sha256').update(await readFile(path)).digest('hex') }
}
