/**
 * Connections to a test tracker that close themselves: each one adds its closing to the test
 * file's `cleanups`, which the file runs after every test, whatever the test asserted.
 */
import { io } from 'socket.io-client'
import type { Socket as RawSocket } from 'socket.io-client'
import { TrackerClient } from '../../core/client/tracker-client.ts'
import type { TrackerConnectOptions } from '../../core/client/tracker-client.ts'

export type { RawSocket }

export interface TrackerSockets {
  /** A TrackerClient connected to `server`. */
  connect(server: { url: string }, options?: TrackerConnectOptions): Promise<TrackerClient>
  /** A bare Socket.IO client, for sending what TrackerClient never would; rejects if the handshake is refused. */
  rawSocket(server: { url: string }, auth?: Record<string, unknown>): Promise<RawSocket>
  /** A bare Socket.IO client to `url` (a namespace's, say), not yet connected, for a test that watches how its handshake ends. */
  openSocket(url: string, auth?: Record<string, unknown>): RawSocket
}

export function trackerSockets(cleanups: Array<() => unknown>): TrackerSockets {
  const openSocket = (url: string, auth?: Record<string, unknown>): RawSocket => {
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, ...(auth ? { auth } : {}) })
    cleanups.push(() => socket.disconnect())
    return socket
  }
  return {
    async connect(server, options) {
      const client = await TrackerClient.connect(server.url, options)
      cleanups.push(() => client.close())
      return client
    },
    async rawSocket(server, auth) {
      const socket = openSocket(server.url, auth)
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve)
        socket.once('connect_error', reject)
      })
      return socket
    },
    openSocket,
  }
}
