/**
 * The Shoal tracker: one HTTP server carrying the Socket.IO tracker + signaling relay, a health
 * check, and the built web app (including share links `/s/<id>`). State is in memory unless a
 * Redis is given, through which any number of these processes serve as one (redis/scale-out.ts).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { Server } from 'socket.io'
import { MAX_MANIFEST_BYTES } from '../core/manifest.ts'
import type { ClientToServerEvents, ServerToClientEvents } from '../core/tracker-protocol.ts'
import { tokenAdmission } from './admission.ts'
import { originPolicy } from './allowed-origins.ts'
import { attachDashboard } from './dashboard.ts'
import { attachTrackerHandlers } from './handlers.ts'
import type { InterServerEvents, SocketData, TrackerIo, TrackerLimits } from './handlers.ts'
import { silentLogger } from './logger.ts'
import type { Logger } from './logger.ts'
import type { ManifestRegistryOptions } from './manifest-registry.ts'
import { withMetricsRoutes } from './metrics-routes.ts'
import { TrackerMetrics } from './metrics.ts'
import { observeTracker } from './observer.ts'
import { connectRedisScaleOut } from './redis/scale-out.ts'
import type { RedisScaleOutOptions } from './redis/scale-out.ts'
import { memoryTrackerStore } from './tracker-store.ts'
import { TrafficBook } from './traffic-book.ts'
import { createWebRoutes } from './web-routes.ts'

export interface TrackerServerOptions {
  host?: string
  /** 0 picks a free port; the chosen one is in the result. */
  port?: number
  /** The built web app (`npm run build:web`). */
  webRoot?: string
  limits?: Partial<TrackerLimits>
  manifests?: ManifestRegistryOptions
  /** Unexpected errors inside event handlers, besides the logger's error line. */
  onError?: (err: unknown, event: string) => void
  /** Structured logs (see logger.ts); a tracker without one logs nothing. */
  logger?: Logger
  /** Makes every swarm private: announce, manifest fetch and publish need a join token signed
   * with this secret (at least 32 bytes; see core/join-token.ts). */
  authSecret?: string
  /** Shares swarms, peer ids, manifests and signalling with every process given the same Redis. */
  redis?: RedisScaleOutOptions
  /** Origins besides the tracker's own whose pages may connect (the widget on a portal); exact
   * `scheme://host[:port]` strings, see allowed-origins.ts. None by default. */
  allowOrigins?: string[]
}

export interface TrackerServer {
  /** Where clients connect, e.g. `http://127.0.0.1:8080`. */
  url: string
  port: number
  close(): Promise<void>
}

const DEFAULT_HOST = '127.0.0.1'
const DEFAULT_PORT = 8080
const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../dist/web/', import.meta.url))
/** The largest manifest, plus room for Socket.IO framing and JSON escaping of the file name. */
const MAX_MESSAGE_BYTES = MAX_MANIFEST_BYTES + 64 * 1024
/** How long close() waits for departing peers to be removed from Redis; the rest expire. */
const CLEANUP_GRACE_MS = 2000

export async function startTrackerServer(options: TrackerServerOptions = {}): Promise<TrackerServer> {
  const host = options.host ?? DEFAULT_HOST
  // First: a secret too short to trust must stop the server before it listens, not after.
  const admission = options.authSecret === undefined ? undefined : tokenAdmission(options.authSecret)
  const logger = options.logger ?? silentLogger()
  // Likewise an unreachable Redis: a process that cannot share state must not serve alone.
  const scaleOut =
    options.redis &&
    (await connectRedisScaleOut(
      {
        onStatus: (status) =>
          status.state === 'lost'
            ? logger.error({ err: status.error, connection: status.connection }, 'lost the connection to Redis; reconnecting')
            : logger.info({ connection: status.connection }, 'reconnected to Redis'),
        ...options.redis,
      },
      options.manifests,
    ))
  const state = scaleOut?.store ?? memoryTrackerStore({ manifests: options.manifests })
  // The gauges read `io` and `state` at each scrape, which cannot happen before both exist.
  const metrics = new TrackerMetrics({
    sockets: () => io.of('/').sockets.size,
    swarms: () => state.swarms.count(),
    peers: () => state.peers.count(),
    manifests: () => state.manifests.count(),
  })
  const allowOrigins = options.allowOrigins ?? []
  const httpServer = createServer(withMetricsRoutes(metrics, createWebRoutes(options.webRoot ?? DEFAULT_WEB_ROOT, { allowOrigins })))
  const admitsOrigin = originPolicy(allowOrigins)
  const io: TrackerIo = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(httpServer, {
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    serveClient: false,
    // CORS only guards HTTP long-polling; a WebSocket handshake is refused here or not at all.
    cors: { origin: allowOrigins },
    allowRequest: (req, callback) => {
      const admitted = admitsOrigin(req)
      callback(admitted ? null : 'origin not allowed', admitted)
    },
    ...(scaleOut && { adapter: scaleOut.adapter }),
  })
  const observer = observeTracker(io, { metrics, logger })
  const onError = (err: unknown, event: string) => {
    observer.failed(err, event)
    options.onError?.(err, event)
  }
  // Peers' traffic reports, per process even with Redis: each dashboard shows its own process's
  // peers. A private tracker has no dashboard, so it keeps no reports either.
  const traffic = new TrafficBook()
  const dashboardEnabled = admission === undefined
  const handlers = attachTrackerHandlers(io, state, {
    limits: options.limits,
    onError,
    observe: observer.handled,
    admission,
    traffic: dashboardEnabled ? traffic : undefined,
  })
  const dashboard = attachDashboard(io, { traffic, manifests: state.manifests }, { enabled: dashboardEnabled, onError })

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject)
      httpServer.listen(options.port ?? DEFAULT_PORT, host, () => {
        httpServer.off('error', reject)
        resolve()
      })
    })
  } catch (err) {
    dashboard.close()
    await io.close()
    scaleOut?.close()
    throw err
  }

  const { port } = httpServer.address() as AddressInfo
  const url = `http://${reachableHost(host)}:${port}`
  logger.info({ url, private: admission !== undefined, redis: scaleOut !== undefined }, 'listening')
  let closing: Promise<void> | undefined
  return {
    url,
    port,
    close: () =>
      (closing ??= (async () => {
        dashboard.close()
        const closed = io.close()
        // Keep-alive and in-flight HTTP requests would otherwise hold close() open.
        httpServer.closeAllConnections()
        await closed
        if (scaleOut) {
          // Closing dropped every connection; their peers leave the shared swarms now rather
          // than lingering on the other processes until they expire.
          let timer: NodeJS.Timeout | undefined
          await Promise.race([handlers.settled(), new Promise((resolve) => (timer = setTimeout(resolve, CLEANUP_GRACE_MS)))])
          clearTimeout(timer)
          scaleOut.close()
        }
      })()),
  }
}

/** A wildcard listen address is not somewhere to connect to; the local machine is. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}
