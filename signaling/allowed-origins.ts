/**
 * Which other origins' pages may use this tracker: `shoal serve --allow-origin`. By default
 * none, so only the tracker's own pages connect. A browser sends `Origin` with every WebSocket
 * handshake and cross-origin fetch, and nothing but the server can refuse a WebSocket, so the
 * same rule guards the Socket.IO handshake (allowRequest) and the CORS headers on HTTP.
 * Clients that are not browsers (the CLI) send no Origin and are not concerned.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { ShoalError } from '../core/errors.ts'

export type OriginPolicy = (req: IncomingMessage) => boolean

/** `https://portal.example`, `http://127.0.0.1:5173`; a list may be comma-separated. Throws BAD_INPUT. */
export function parseAllowedOrigins(values: readonly string[]): string[] {
  const origins = values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '')
  return origins.map((value) => {
    let url: URL | undefined
    try {
      url = new URL(value)
    } catch {
      url = undefined
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== value.replace(/\/$/, '')) {
      throw new ShoalError('BAD_INPUT', `--allow-origin: "${value}" is not an origin (expected scheme://host[:port], e.g. https://portal.example)`)
    }
    return url.origin
  })
}

/** Admits requests without an Origin, from the server's own host, or from a listed origin. */
export function originPolicy(allowed: readonly string[]): OriginPolicy {
  const set = new Set(allowed)
  return (req) => {
    const origin = req.headers.origin
    if (origin === undefined) return true
    if (set.has(origin)) return true
    return sameHost(origin, req)
  }
}

/** Adds the CORS headers for a listed origin; a same-origin or refused request gets none. */
export function addCorsHeaders(req: IncomingMessage, res: ServerResponse, allowed: readonly string[]): void {
  const origin = req.headers.origin
  res.setHeader('Vary', 'Origin')
  if (origin !== undefined && allowed.includes(origin)) res.setHeader('Access-Control-Allow-Origin', origin)
}

function sameHost(origin: string, req: IncomingMessage): boolean {
  try {
    const host = new URL(origin).host
    // Behind a reverse proxy the browser's host may arrive as X-Forwarded-Host.
    const forwarded = req.headers['x-forwarded-host']
    return host === req.headers.host || (typeof forwarded === 'string' && forwarded.split(',')[0]!.trim() === host)
  } catch {
    return false
  }
}
