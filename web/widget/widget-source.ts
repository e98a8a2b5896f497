/**
 * What a `<shoal-download>` tag asks for, read from its attributes: `link` (a share link), or
 * `swarm` (a content id) with `tracker`; `token` for a private tracker; `upload-limit`.
 */
import { bandwidthLimiters, type BandwidthLimiters } from '../../core/bandwidth-limits.ts'
import { ShoalError } from '../../core/errors.ts'
import { parseShareLink } from '../../core/link.ts'

export interface WidgetSource {
  trackerUrl: string
  swarmId: string
  token: string | undefined
  limits: BandwidthLimiters
}

/** Throws BAD_LINK or BAD_INPUT naming the attribute to fix. */
export function widgetSource(attribute: (name: string) => string | null): WidgetSource {
  const value = (name: string) => attribute(name)?.trim() || undefined
  const link = value('link')
  const swarm = value('swarm')
  if (!link && !swarm) throw new ShoalError('BAD_INPUT', 'set link="<share link>", or swarm="<id>" with tracker="<tracker url>"')
  const tracker = value('tracker')
  if (!link && !tracker) throw new ShoalError('BAD_INPUT', 'swarm="<id>" needs tracker="<tracker url>" beside it')
  const { trackerUrl, id } = parseShareLink(link ?? swarm!, tracker)
  if (!link && id !== swarm) throw new ShoalError('BAD_LINK', `swarm="${swarm}" is not a file id (64 hex digits)`)
  return {
    trackerUrl,
    swarmId: id,
    token: value('token'),
    limits: bandwidthLimiters({ upload: value('upload-limit') }, { upload: 'the upload-limit attribute', download: 'the download-limit attribute' }),
  }
}
