/**
 * The page's side of the service worker (web/sw.ts, built to `/sw.js`): registering it, and
 * telling whether it is there to stream a download. Browsers offer service workers only to
 * secure contexts (https, or http on localhost and 127.0.0.1); elsewhere, e.g. plain http on
 * a LAN address, `navigator.serviceWorker` is missing and saving takes another path.
 */
import { downloadUrl } from './download-route.ts'

const BASE = import.meta.env.BASE_URL

/** Call once at page start. A failure only costs the streaming download path, so it is a warning. */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return
  navigator.serviceWorker.register(`${BASE}sw.js`, { scope: BASE }).catch((err: unknown) => {
    console.warn(`shoal: no service worker, so Save will assemble the file in the page (${err instanceof Error ? err.message : String(err)})`)
  })
}

/**
 * The URL the service worker streams a stored swarm's file from, if it controls this page now.
 * Ours only: the widget runs on other sites' pages, whose own service worker knows no `/download/`.
 */
export function serviceWorkerDownloadUrl(swarmId: string): string | undefined {
  const controller = 'serviceWorker' in navigator ? navigator.serviceWorker.controller : null
  // Resolved against this script, not the page: a widget's script comes from the tracker.
  if (!controller || controller.scriptURL !== new URL(`${BASE}sw.js`, import.meta.url).href) return undefined
  return downloadUrl(BASE, swarmId)
}
