/** Share links: `<tracker url>/s/<content id>`. */
import { ShoalError } from './errors.ts'
import { isContentId } from './manifest.ts'

export interface ShareLink {
  trackerUrl: string
  id: string
}

export function formatShareLink(trackerUrl: string, id: string): string {
  return `${trackerUrl.replace(/\/+$/, '')}/s/${id}`
}

/** Accepts a full share link, or a bare content id when `trackerUrl` is given. */
export function parseShareLink(link: string, trackerUrl?: string): ShareLink {
  const trimmed = link.trim()
  if (isContentId(trimmed)) {
    if (!trackerUrl) throw new ShoalError('BAD_LINK', 'a bare id needs --tracker <url>')
    return { trackerUrl: normalizeTrackerUrl(trackerUrl), id: trimmed }
  }
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    throw new ShoalError('BAD_LINK', `not a share link: "${link}" (expected <tracker url>/s/<64 hex id>)`)
  }
  const match = /^(.*)\/s\/([0-9a-f]{64})\/?$/.exec(url.pathname)
  if (!match || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ShoalError('BAD_LINK', `not a share link: "${link}" (expected <tracker url>/s/<64 hex id>)`)
  }
  return { trackerUrl: normalizeTrackerUrl(trackerUrl ?? `${url.origin}${match[1]}`), id: match[2]! }
}

export function normalizeTrackerUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ShoalError('BAD_INPUT', `not a tracker URL: "${value}" (expected http://host:port)`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ShoalError('BAD_INPUT', `tracker URL must be http or https: "${value}"`)
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}
