/**
 * `GET /metrics` (Prometheus text format) and `GET /stats` (a JSON summary), in front of the
 * other HTTP routes. Like /healthz they are open to whoever reaches the port: an operator who
 * wants the numbers private keeps them off the public side of the reverse proxy.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TrackerMetrics } from './metrics.ts'

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void

export function withMetricsRoutes(metrics: TrackerMetrics, next: RequestHandler): RequestHandler {
  return (req, res) => {
    const pathname = (req.url ?? '/').split('?', 1)[0]
    const isRead = req.method === 'GET' || req.method === 'HEAD'
    if (isRead && pathname === '/metrics') return void respond(req, res, async () => ({ type: metrics.contentType, body: await metrics.text() }))
    if (isRead && pathname === '/stats') return void respond(req, res, async () => ({ type: 'application/json', body: JSON.stringify(await metrics.stats()) }))
    next(req, res)
  }
}

async function respond(req: IncomingMessage, res: ServerResponse, render: () => Promise<{ type: string; body: string }>): Promise<void> {
  try {
    const { type, body } = await render()
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' })
    res.end(req.method === 'HEAD' ? undefined : body)
  } catch {
    // Gauges that fail to read report NaN, so this is rare; the scrape fails visibly either way.
    const text = 'metrics unavailable\n'
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
    res.end(text)
  }
}
