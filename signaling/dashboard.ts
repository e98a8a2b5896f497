/**
 * The dashboard's feed: a read-only Socket.IO namespace, `/dashboard`, that pushes a snapshot of
 * every swarm (peers, completion, flows, origin offload) each second while someone watches.
 * Dashboard sockets send nothing: any event from one is ignored.
 *
 * A private tracker (--auth-secret) serves no dashboard: the picture would tell anyone who reaches
 * the port which files are shared and by how many, which is what private swarms keep quiet.
 */
import type { Namespace, Server } from 'socket.io'
import type { DashboardServerEvents } from '../core/tracker-protocol.ts'
import type { ManifestStore } from './tracker-store.ts'
import type { TrafficBook } from './traffic-book.ts'

export const DASHBOARD_NAMESPACE = '/dashboard'
export const DASHBOARD_DISABLED_MESSAGE = 'the dashboard is off on a private tracker (--auth-secret)'

export interface DashboardComponents {
  traffic: TrafficBook
  manifests: ManifestStore
}

export interface DashboardOptions {
  /** Off: every connection to the namespace is refused (private trackers). */
  enabled: boolean
  intervalMs?: number
  onError?: (err: unknown, event: string) => void
}

const INTERVAL_MS = 1000

export interface DashboardFeed {
  close(): void
}

export function attachDashboard(io: Server, components: DashboardComponents, options: DashboardOptions): DashboardFeed {
  const feed: Namespace<Record<never, never>, DashboardServerEvents> = io.of(DASHBOARD_NAMESPACE)
  if (!options.enabled) {
    feed.use((_socket, next) => next(new Error(DASHBOARD_DISABLED_MESSAGE)))
    return { close() {} }
  }
  const names = new Map<string, string | undefined>()
  let busy = false

  /** File names from the manifests this tracker holds, looked up once per swarm. */
  async function learnNames(swarms: string[]): Promise<void> {
    const current = new Set(swarms)
    for (const id of names.keys()) if (!current.has(id)) names.delete(id)
    for (const id of swarms) {
      if (names.has(id)) continue
      const json = await components.manifests.get(id)
      names.set(id, json === undefined ? undefined : nameOf(json))
    }
  }

  const timer = setInterval(() => {
    // Nobody watching, nothing to build; a slow store must not pile up lookups.
    if (feed.sockets.size === 0 || busy) return
    busy = true
    learnNames(components.traffic.swarmIds())
      .then(() => feed.emit('snapshot', components.traffic.snapshot((id) => names.get(id))))
      .catch((err: unknown) => options.onError?.(err, 'dashboard'))
      .finally(() => (busy = false))
  }, options.intervalMs ?? INTERVAL_MS)
  timer.unref?.()
  return {
    close: () => clearInterval(timer),
  }
}

function nameOf(manifestJson: string): string | undefined {
  try {
    const name = (JSON.parse(manifestJson) as { name?: unknown }).name
    return typeof name === 'string' ? name : undefined
  } catch {
    return undefined
  }
}
