/**
 * Before a widget on another site's page connects: does the tracker serve pages of this origin
 * (`shoal serve --allow-origin`)? A refused WebSocket looks the same to a page as a tracker
 * that is down, and Socket.IO would keep retrying; one CORS request tells the two apart at once.
 */
import { ShoalError } from '../../core/errors.ts'

/** Resolves if the page may use the tracker; throws ORIGIN_NOT_ALLOWED or TRACKER_UNREACHABLE. */
export async function checkTrackerServesOrigin(trackerUrl: string, pageOrigin: string, signal?: AbortSignal): Promise<void> {
  if (new URL(trackerUrl).origin === pageOrigin) return
  const health = `${trackerUrl}/healthz`
  try {
    await (await fetch(health, { mode: 'cors', cache: 'no-store', signal })).arrayBuffer()
    return
  } catch {
    // Refused by CORS, or not there at all: an opaque request answers which.
  }
  const reachable = await fetch(health, { mode: 'no-cors', cache: 'no-store', signal }).then(
    () => true,
    () => false,
  )
  if (reachable) {
    throw new ShoalError(
      'ORIGIN_NOT_ALLOWED',
      `The tracker at ${trackerUrl} does not serve pages of ${pageOrigin} (CORS): its operator can allow them with shoal serve --allow-origin ${pageOrigin}`,
    )
  }
  throw new ShoalError('TRACKER_UNREACHABLE', `Could not reach the tracker at ${trackerUrl}.`)
}
