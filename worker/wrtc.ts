/** WebRTC for Node: @roamhq/wrtc ships its native binary inside the npm package. */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

let cached: unknown
export function loadWrtc(): unknown {
  cached ??= require('@roamhq/wrtc')
  return cached
}
