/**
 * Limits from the page's URL, e.g. `/s/<id>?upload-limit=2MB/s&download-limit=5MB/s`: the
 * browser counterpart of the CLI's --upload-limit/--download-limit, for a tab that must not
 * fill a shared link (and for benchmarks that cap every peer alike); and `cache-limit=20GB`,
 * a cap on what this origin keeps in IndexedDB (least recently used files go first).
 */
import { type BandwidthLimiters, bandwidthLimiters } from '../core/bandwidth-limits.ts'
import { ShoalError } from '../core/errors.ts'
import { parseSize } from '../core/rate.ts'

export const UPLOAD_LIMIT_PARAM = 'upload-limit'
export const DOWNLOAD_LIMIT_PARAM = 'download-limit'
export const CACHE_LIMIT_PARAM = 'cache-limit'

/** Throws BAD_INPUT for a value that is not a rate; an absent or empty parameter means no limit. */
export function limitsFromSearch(search: string): BandwidthLimiters {
  const params = new URLSearchParams(search)
  const value = (name: string) => params.get(name) || undefined
  return bandwidthLimiters(
    { upload: value(UPLOAD_LIMIT_PARAM), download: value(DOWNLOAD_LIMIT_PARAM) },
    { upload: `the link's ${UPLOAD_LIMIT_PARAM}`, download: `the link's ${DOWNLOAD_LIMIT_PARAM}` },
  )
}

/** Bytes, or undefined for no cap; throws BAD_INPUT for a value that is not a size. */
export function cacheLimitFromSearch(search: string): number | undefined {
  const value = new URLSearchParams(search).get(CACHE_LIMIT_PARAM)
  if (!value) return undefined
  try {
    return parseSize(value)
  } catch (err) {
    throw new ShoalError('BAD_INPUT', `the link's ${CACHE_LIMIT_PARAM}: ${(err as Error).message}`)
  }
}
