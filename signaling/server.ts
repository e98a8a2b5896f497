/**
 * The Shoal tracker: one HTTP server carrying the Socket.IO tracker + signaling relay, a health
 * check, and the built web app (including share links `/s/<id>`).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { Server } from 'socket.io'
import { MAX_MANIFEST_BYTES } from '../core/manifest.ts'
import type { ClientToServerEvents, ServerToClientEvents } from '../core/tracker-protocol.ts'
import { tokenAdmission } from './admission.ts'
import { attachTrackerHandlers } from './handlers.ts'
import type { InterServerEvents, SocketData, TrackerIo, TrackerLimits } from './handlers.ts'
import { ManifestRegistry } from './manifest-registry.ts'
import type { ManifestRegistryOptions } from './manifest-registry.ts'
import { PeerDirectory } from './peer-directory.ts'
import { SwarmRegistry } from './swarm-registry.ts'
import { createWebRoutes } from './web-routes.ts'

export interface TrackerServerOptions {
  host?: string
  /** 0 picks a free port; the chosen one is in the result. */
  port?: number
  /** The built web app (`npm run build:web`). */
  webRoot?: string
  limits?: Partial<TrackerLimits>
  manifests?: ManifestRegistryOptions
  /** Unexpected errors inside event handlers; defaults to console.error. */
  onError?: (err: unknown, event: string) => void
  /** Makes every swarm private: announce, manifest fetch and publish need a join token signed
   * with this secret (at least 32 bytes; see core/join-token.ts). */
  authSecret?: string
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

export async function startTrackerServer(options: TrackerServerOptions = {}): Promise<TrackerServer> {
  const host = options.host ?? DEFAULT_HOST
  // First: a secret too short to trust must stop the server before it listens, not after.
  const admission = options.authSecret === undefined ? undefined : tokenAdmission(options.authSecret)
  const httpServer = createServer(createWebRoutes(options.webRoot ?? DEFAULT_WEB_ROOT))
  const io: TrackerIo = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(httpServer, {
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    serveClient: false,
  })
  const state = {
    swarms: new SwarmRegistry(),
    peers: new PeerDirectory(),
    manifests: new ManifestRegistry(options.manifests),
  }
  attachTrackerHandlers(io, state, { limits: options.limits, onError: options.onError, admission })

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject)
      httpServer.listen(options.port ?? DEFAULT_PORT, host, () => {
        httpServer.off('error', reject)
        resolve()
      })
    })
  } catch (err) {
    await io.close()
    throw err
  }

  const { port } = httpServer.address() as AddressInfo
  let closing: Promise<void> | undefined
  return {
    url: `http://${reachableHost(host)}:${port}`,
    port,
    close: () =>
      (closing ??= (async () => {
        const closed = io.close()
        // Keep-alive and in-flight HTTP requests would otherwise hold close() open.
        httpServer.closeAllConnections()
        await closed
      })()),
  }
}

/** A wildcard listen address is not somewhere to connect to; the local machine is. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}
