/**
 * The web app's HTTP routes that concern saving: the service worker script and the download
 * URL it answers in the browser, served by the real routes over a real HTTP server.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWebRoutes } from '../../signaling/web-routes.ts'

let webRoot: string
let server: Server
let url: string

beforeAll(async () => {
  webRoot = await mkdtemp(join(tmpdir(), 'shoal-web-routes-'))
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>Shoal</title>')
  await writeFile(join(webRoot, 'sw.js'), 'self.addEventListener("fetch", () => {})\n')
  server = createServer(createWebRoutes(webRoot))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await rm(webRoot, { recursive: true, force: true })
})

describe('web routes for saving', () => {
  it('serves the service worker as JavaScript that browsers revalidate', async () => {
    const res = await fetch(`${url}/sw.js`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('javascript')
    expect(res.headers.get('cache-control')).toBe('no-cache')
    expect(await res.text()).toContain('fetch')
  })

  it('explains that downloads come from the page, when no service worker answered', async () => {
    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(`${url}/download/${'ab'.repeat(32)}`, { method })
      expect(res.status, method).toBe(404)
      expect(res.headers.get('content-type')).toContain('text/plain')
      if (method === 'GET') expect(await res.text()).toContain("open the share link in a browser that has the file; downloads are served by the page's service worker")
    }
  })
})
