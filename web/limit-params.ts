/**
 * Bandwidth limits from the page's URL, e.g. `/s/<id>?upload-limit=2MB/s&download-limit=5MB/s`:
 * the browser counterpart of the CLI's --upload-limit/--download-limit, for a tab that must
 * not fill a shared link (and for benchmarks that cap every peer alike).
 */
import { type BandwidthLimiters, bandwidthLimiters } from '../core/bandwidth-limits.ts'

export const UPLOAD_LIMIT_PARAM = 'upload-limit'
export const DOWNLOAD_LIMIT_PARAM = 'download-limit'

/** Throws BAD_INPUT for a value that is not a rate; an absent or empty parameter means no limit. */
export function limitsFromSearch(search: string): BandwidthLimiters {
  const params = new URLSearchParams(search)
  const value = (name: string) => params.get(name) || undefined
  return bandwidthLimiters(
    { upload: value(UPLOAD_LIMIT_PARAM), download: value(DOWNLOAD_LIMIT_PARAM) },
    { upload: `the link's ${UPLOAD_LIMIT_PARAM}`, download: `the link's ${DOWNLOAD_LIMIT_PARAM}` },
  )
}
