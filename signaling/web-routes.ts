/**
 * The tracker's plain HTTP side: a health check, the built web app, and share links
 * (`/s/<id>`), which load the app's index.html; the app reads the id from its location.
 * `/download/<id>` belongs to the app's service worker (web/sw.ts, served as /sw.js), which
 * streams a file out of the browser's storage: the server holds no files, so a request that
 * reaches it gets a 404 saying where downloads come from.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import sirv from 'sirv'
import { addCorsHeaders } from './allowed-origins.ts'

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void

const SHARE_PATH = /^\/s\/[0-9a-f]{64}\/?$/
const DOWNLOAD_PATH = /^\/download\/[0-9a-f]{64}$/
/** The swarm dashboard page (web/dashboard/); its data comes over the `/dashboard` Socket.IO namespace. */
const DASHBOARD_PATH = /^\/dashboard\/?$/
const NOT_BUILT = 'web app not built: run npm run build:web\n'
const NO_SERVICE_WORKER =
  "this server holds no files: open the share link in a browser that has the file; downloads are served by the page's service worker\n"

export interface WebRoutesOptions {
  /** Origins whose pages may read these responses (the widget's script, /healthz): CORS headers for them only. */
  allowOrigins?: readonly string[]
}

export function createWebRoutes(webRoot: string, options: WebRoutesOptions = {}): RequestHandler {
  const allowOrigins = options.allowOrigins ?? []
  const indexPath = join(webRoot, 'index.html')
  const dashboardPath = join(webRoot, 'dashboard', 'index.html')
  // sirv lists the directory once when created, so it is created on the first request after a
  // build exists; a server started before `npm run build:web` starts serving once it is done.
  // (Rebuilding renames hashed assets: restart the server after a rebuild.)
  let serveStatic: ReturnType<typeof sirv> | undefined
  const isBuilt = () => existsSync(indexPath)

  return (req, res) => {
    // Not `new URL()`: it throws on some request targets and reads `//x` as a host.
    const pathname = (req.url ?? '/').split('?', 1)[0] ?? '/'
    // A portal loads /widget.js as a module script, which is fetched with CORS.
    addCorsHeaders(req, res, allowOrigins)
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed\n')
    if (pathname === '/healthz') return sendJson(res, 200, { ok: true })
    if (DOWNLOAD_PATH.test(pathname)) return sendText(res, 404, NO_SERVICE_WORKER)
    const isShareLink = SHARE_PATH.test(pathname)
    if ((isShareLink || pathname === '/') && !isBuilt()) return sendText(res, 503, NOT_BUILT)
    if (isShareLink) return void sendIndex(indexPath, req, res)
    if (DASHBOARD_PATH.test(pathname)) return void sendIndex(dashboardPath, req, res)
    if (!serveStatic && isBuilt()) serveStatic = sirv(webRoot, { etag: true, setHeaders: cacheAssets })
    if (!serveStatic) return sendText(res, 404, 'not found\n')
    serveStatic(req, res, () => sendText(res, 404, 'not found\n'))
  }
}

/**
 * Vite names everything under /assets/ by content hash, so those never change. The service
 * worker keeps one URL across builds, so browsers must revalidate it to pick up a new one.
 */
function cacheAssets(res: ServerResponse, pathname: string): void {
  if (pathname.startsWith('/assets/')) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable')
  else if (pathname === '/sw.js') res.setHeader('Cache-Control', 'no-cache')
}

async function sendIndex(indexPath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const html = await readFile(indexPath)
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': html.length,
      // The page is the same for every id and changes with each build.
      'Cache-Control': 'no-cache',
    })
    res.end(req.method === 'HEAD' ? undefined : html)
  } catch {
    sendText(res, 503, NOT_BUILT)
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}
