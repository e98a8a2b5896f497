/**
 * Opens a WebRTC connection named `key` between two endpoints, relaying their signals directly
 * (no tracker: nothing but the link is measured). Signals to one end are delivered in order.
 */
import type { Endpoint } from './endpoint.ts'

export async function connect(initiator: Endpoint, answerer: Endpoint, key: string): Promise<void> {
  const failures: unknown[] = []
  const relayTo = (to: Endpoint) => {
    let chain = Promise.resolve()
    return (k: string, data: unknown) => {
      chain = chain.then(() => to.signal(k, data)).catch((err: unknown) => void failures.push(err))
    }
  }
  initiator.onSignal = relayTo(answerer)
  answerer.onSignal = relayTo(initiator)
  // The answerer must exist before the offer reaches it.
  await answerer.open(key, false)
  await initiator.open(key, true)
  try {
    await Promise.all([initiator.connected(key), answerer.connected(key)])
  } catch (err) {
    throw new Error(`${initiator.label} → ${answerer.label}: ${(err as Error).message}${failures.length ? `; signal relay failed: ${String(failures[0])}` : ''}`)
  }
}
