/**
 * Chromium with a real, throwaway profile on disk. Playwright's browser.newContext() is
 * off the record, like a private window, and Chromium then keeps IndexedDB in memory; a user's
 * browser keeps it on disk, which is what the store's figures have to be about.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium } from '@playwright/test'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts'

export interface Profile {
  context: BrowserContext
  /** Closes the browser and deletes the profile, IndexedDB included. */
  close(): Promise<void>
}

export async function launchProfile(): Promise<Profile> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-bench-profile-'))
  try {
    const context = await chromium.launchPersistentContext(dir, { headless: true, executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] })
    return {
      context,
      async close() {
        await context.close().catch(() => undefined)
        await rm(dir, { recursive: true, force: true })
      },
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
}
