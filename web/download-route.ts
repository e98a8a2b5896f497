/**
 * Where the service worker serves a stored file: `<app base>download/<swarm id>`. Shared by
 * the page, which links there to save, and the worker, which answers it. (A server reached at
 * that path means no service worker answered; signaling/web-routes.ts explains that.)
 */
import { isContentId } from '../core/manifest.ts'

const PREFIX = 'download/'

/** `base` is the app's base URL path or its service worker's scope, ending in `/`. */
export function downloadUrl(base: string, swarmId: string): string {
  return `${base}${PREFIX}${swarmId}`
}

/** The swarm id a request URL asks to download, if it is a download URL under `scope`. */
export function downloadSwarmId(scope: string, url: string): string | undefined {
  const prefix = new URL(PREFIX, scope).href
  if (!url.startsWith(prefix)) return undefined
  const id = url.slice(prefix.length)
  return isContentId(id) ? id : undefined
}
