/**
 * The user's bandwidth limits as the engine takes them: one TokenBucket per direction for the
 * whole process (or tab), so a limit holds however many peers and swarms share it. Both the
 * CLI flags and the page's URL parameters come through here, so they read values alike.
 */
import { ShoalError } from './errors.ts'
import { parseRate } from './rate.ts'
import { TokenBucket } from './token-bucket.ts'

/** Limits as the user wrote them (`2MB/s`, `40Mbit/s`…); absent means unlimited. */
export interface BandwidthLimitSettings {
  upload?: string | undefined
  download?: string | undefined
}

/** Shaped like the matching SwarmOptions fields, so it spreads straight into them. */
export interface BandwidthLimiters {
  uploadLimiter?: TokenBucket
  downloadLimiter?: TokenBucket
}

/** How an error names each setting: the flag or parameter the user actually typed. */
export interface BandwidthLimitLabels {
  upload: string
  download: string
}

const LABELS: BandwidthLimitLabels = { upload: 'upload limit', download: 'download limit' }

/** Throws BAD_INPUT naming the setting, e.g. `--upload-limit: not a rate: "fast"…`. */
export function bandwidthLimiters(settings: BandwidthLimitSettings, labels: BandwidthLimitLabels = LABELS): BandwidthLimiters {
  const limiters: BandwidthLimiters = {}
  const upload = bucketFor(labels.upload, settings.upload)
  const download = bucketFor(labels.download, settings.download)
  if (upload) limiters.uploadLimiter = upload
  if (download) limiters.downloadLimiter = download
  return limiters
}

function bucketFor(label: string, text: string | undefined): TokenBucket | undefined {
  if (text === undefined) return undefined
  try {
    return new TokenBucket({ rate: parseRate(text) })
  } catch (err) {
    if (err instanceof ShoalError) throw new ShoalError('BAD_INPUT', `${label}: ${err.message}`, { cause: err })
    throw err
  }
}
