/**
 * `shoal serve --allow-origin`: which pages may open the tracker's Socket.IO connection, and
 * which get CORS headers. A real server on an ephemeral port; raw sockets carry the Origin a
 * browser would send.
 */
import { io } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isShoalError } from '../../core/errors.ts'
import { parseAllowedOrigins } from '../../signaling/allowed-origins.ts'
import { startTrackerServer, type TrackerServer } from '../../signaling/server.ts'

const PORTAL = 'https://portal.example'

let server: TrackerServer

beforeAll(async () => {
  server = await startTrackerServer({ port: 0, allowOrigins: [PORTAL] })
})

afterAll(async () => {
  await server.close()
})

/** Resolves true if a WebSocket handshake with these headers connects, false if refused. */
function connects(headers: Record<string, string>): Promise<boolean> {
  const socket = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: headers })
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(true))
    socket.once('connect_error', () => resolve(false))
  }).finally(() => socket.close()) as Promise<boolean>
}

describe('the tracker admits pages by origin', () => {
  it('admits clients without an Origin (the CLI), its own pages and listed origins', async () => {
    expect(await connects({})).toBe(true)
    expect(await connects({ Origin: server.url })).toBe(true)
    expect(await connects({ Origin: PORTAL })).toBe(true)
  })

  it('refuses the WebSocket handshake from any other origin', async () => {
    expect(await connects({ Origin: 'https://elsewhere.example' })).toBe(false)
    expect(await connects({ Origin: 'https://portal.example:8443' })).toBe(false)
  })

  it('sends Access-Control-Allow-Origin to listed origins only', async () => {
    const listed = await fetch(`${server.url}/healthz`, { headers: { Origin: PORTAL } })
    expect(listed.headers.get('access-control-allow-origin')).toBe(PORTAL)
    expect(listed.headers.get('vary')).toContain('Origin')
    const other = await fetch(`${server.url}/healthz`, { headers: { Origin: 'https://elsewhere.example' } })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('parseAllowedOrigins', () => {
  it('takes repeated and comma-separated origins', () => {
    expect(parseAllowedOrigins(['https://a.example, http://127.0.0.1:5173', 'https://b.example/'])).toEqual([
      'https://a.example',
      'http://127.0.0.1:5173',
      'https://b.example',
    ])
  })

  it.each(['*', 'portal.example', 'https://a.example/path', 'ftp://a.example'])('refuses %s with BAD_INPUT', (value) => {
    let thrown: unknown
    try {
      parseAllowedOrigins([value])
    } catch (err) {
      thrown = err
    }
    expect(isShoalError(thrown) && thrown.code).toBe('BAD_INPUT')
  })
})
