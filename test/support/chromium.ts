/**
 * The system Chromium and the flags every WebRTC test and benchmark launches it with. Shared by
 * playwright.config.ts and the benchmarks, so both drive the same browser the same way.
 * Browser downloads fail here: it is Debian's package (or $CHROMIUM_PATH), never Playwright's.
 */
import { type Browser, chromium } from '@playwright/test'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Without this, host candidates are *.local mDNS names a Node peer cannot resolve.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
]

/** Headless Chromium outside the Playwright test runner (benchmarks). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ headless: true, executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] })
}
