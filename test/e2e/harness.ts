/**
 * Builds a test-only page (test/e2e/harness by default; the benchmarks pass test/bench/page)
 * with the app's own vite.config.ts (same shims, aliases, target) into a temporary directory
 * and serves it.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'vite'
import { HARNESS_ROOT, VITE_CONFIG } from './paths.ts'
import { serveStatic, type StaticServer } from './static-server.ts'

/** `root` holds the page's index.html; it is built the way the app is, then served. */
export async function serveHarness(root: string = HARNESS_ROOT): Promise<StaticServer> {
  const outDir = await mkdtemp(join(tmpdir(), 'shoal-harness-'))
  await build({
    configFile: VITE_CONFIG,
    root,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, sourcemap: false, minify: false },
  })
  const server = await serveStatic(outDir)
  return {
    url: server.url,
    async close() {
      await server.close()
      await rm(outDir, { recursive: true, force: true })
    },
  }
}
