/** Drives the StoreLab of a bench page (store-lab.ts) from the benchmark, through page.evaluate. */
import type { BrowserContext, Page } from '@playwright/test'
import { FILE_INPUT_ID, STORE_LAB_METHODS, type StoreLabCalls } from './store-calls.ts'

export interface StorePage extends StoreLabCalls {
  readonly page: Page
  /** Hands `path` to the page's file input, a File backed by the file on disk as a user's pick is. */
  pick(path: string): Promise<void>
}

/** Opens the bench page at `url` in `context` (a fresh one per sample: its IndexedDB starts empty). */
export async function openStorePage(context: BrowserContext, url: string, label: string): Promise<StorePage> {
  // A persistent context starts with a blank page; use it rather than open a second one.
  const page = context.pages()[0] ?? (await context.newPage())
  page.on('pageerror', (error) => console.error(`[${label}] uncaught: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') console.error(`[${label}] ${message.text()}`)
  })
  await page.goto(url)
  await page.waitForFunction(() => 'shoalStoreBench' in globalThis)
  const calls = Object.fromEntries(
    STORE_LAB_METHODS.map((method) => [
      method,
      (...args: unknown[]) =>
        page.evaluate(([m, a]) => {
          const lab = (globalThis as unknown as { shoalStoreBench: Record<string, (...x: unknown[]) => Promise<unknown>> }).shoalStoreBench
          return lab[m]!(...a)
        }, [method, args] as const),
    ]),
  ) as unknown as StoreLabCalls
  return {
    ...calls,
    page,
    async pick(path) {
      await calls.addFileInput()
      await page.setInputFiles(`#${FILE_INPUT_ID}`, path)
    },
  }
}
