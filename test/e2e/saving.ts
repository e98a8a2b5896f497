/**
 * How end-to-end tests take a finished file out of a page. A headless test cannot answer the
 * File System Access save picker, so before a context's pages load, choose how Save behaves:
 * useDownloadSave removes the picker, so the app downloads (through its service worker, or a
 * Blob URL where it has none); useOpfsSavePicker replaces it with one that picks a file in the
 * origin private file system, which the test reads back with opfsFileHash.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import type { BrowserContext, Page } from '@playwright/test'

export async function useDownloadSave(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker
  })
}

/** Clicks Save and returns the downloaded file's name and SHA-256. */
export async function saveAndHash(page: Page): Promise<{ name: string; sha256: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save', exact: true }).click()])
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(await download.path())) hash.update(chunk as Buffer)
  return { name: download.suggestedFilename(), sha256: hash.digest('hex') }
}

/** The picker answers at once with `<OPFS root>/<suggested name>`; `window.pickedNames` records what it was asked. */
export async function useOpfsSavePicker(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const picked: string[] = []
    Object.assign(window, {
      pickedNames: picked,
      async showSaveFilePicker(options: { suggestedName: string }) {
        picked.push(options.suggestedName)
        const root = await navigator.storage.getDirectory()
        return root.getFileHandle(options.suggestedName, { create: true })
      },
    })
  })
}

/** Size and SHA-256 of a file in the page's origin private file system, or null while it is not there. */
export async function opfsFileHash(page: Page, name: string): Promise<{ size: number; sha256: string } | null> {
  return page.evaluate(async (name) => {
    const root = await navigator.storage.getDirectory()
    const handle = await root.getFileHandle(name).catch(() => null)
    if (!handle) return null
    const file = await handle.getFile()
    // Whole in memory: fine for a test file of a few MiB.
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()))
    return { size: file.size, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') }
  }, name)
}
