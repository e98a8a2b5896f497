/**
 * Builds the browser app from web/ into dist/web, which the signaling server hosts.
 * simple-peer and its dependencies expect Node globals and modules, so the build maps
 * `global` to globalThis and resolves `events`, `buffer` and `process` to their npm
 * browser packages; web/shims.ts then installs `process` and `Buffer` as globals.
 * The service worker (web/sw.ts) is built beside the page as /sw.js, and the embeddable
 * widget (web/widget.ts) as /widget.js.
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { build, defineConfig, type Plugin, type ResolvedConfig } from 'vite'

const require = createRequire(import.meta.url)
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

/** What simple-peer needs in a browser bundle; the standalone builds (below) get it too. */
const NODE_GLOBALS = { global: 'globalThis' }
const NODE_MODULES = [
  // Exact matches only, so subpaths such as `process/browser.js` resolve normally.
  { find: /^events$/, replacement: require.resolve('events/') },
  { find: /^buffer$/, replacement: require.resolve('buffer/') },
  { find: /^process$/, replacement: require.resolve('process/browser.js') },
]

export default defineConfig({
  root: here('./web'),
  // The app is served at / and at /s/<id>: asset URLs must not be relative to the page.
  base: '/',
  define: NODE_GLOBALS,
  resolve: { alias: NODE_MODULES },
  build: {
    outDir: here('./dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  plugins: [
    standalone(here('./web/sw.ts'), 'sw.js', 'iife', 'shoalServiceWorker'),
    standalone(here('./web/widget.ts'), 'widget.js', 'es', 'shoalWidget'),
    extraPages({ dashboard: here('./web/dashboard/index.html') }),
  ],
})

/**
 * More HTML entries beside web/index.html: the swarm dashboard, built to
 * dist/web/dashboard/index.html. Only when building the app itself: test harnesses build their
 * own page with this config and a root of their own.
 */
function extraPages(pages: Record<string, string>): Plugin {
  return {
    name: 'shoal-extra-pages',
    apply: 'build',
    config(config) {
      if (config.root !== here('./web')) return
      return { build: { rolldownOptions: { input: { main: here('./web/index.html'), ...pages } } } }
    },
  }
}

/**
 * Builds `entry` as one self-contained file at `<outDir>/<fileName>` (no chunks, no hash), in a
 * build of its own after the page's, where Rollup would otherwise split the code it shares with
 * the page into chunks. The service worker (a classic script): its URL is its identity and its
 * scope, so a hashed name would register a new worker with every build, and under /assets/ it
 * could not control the page at /. The widget (an ES module): portals load it by a fixed URL
 * from another origin, and every chunk it imported would need CORS too.
 */
function standalone(entry: string, fileName: string, format: 'iife' | 'es', name: string): Plugin {
  let page: ResolvedConfig
  return {
    name: `shoal-standalone-${fileName}`,
    apply: 'build',
    configResolved(config) {
      page = config
    },
    async closeBundle() {
      await build({
        configFile: false,
        logLevel: page.logLevel,
        publicDir: false,
        define: NODE_GLOBALS,
        resolve: { alias: NODE_MODULES },
        build: {
          outDir: page.build.outDir,
          emptyOutDir: false,
          target: page.build.target,
          sourcemap: page.build.sourcemap,
          minify: page.build.minify,
          lib: { entry, formats: [format], name, fileName: () => fileName },
        },
      })
    },
  }
}
