/**
 * Builds the browser app from web/ into dist/web, which the signaling server hosts.
 * simple-peer and its dependencies expect Node globals and modules, so the build maps
 * `global` to globalThis and resolves `events`, `buffer` and `process` to their npm
 * browser packages; web/shims.ts then installs `process` and `Buffer` as globals.
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const require = createRequire(import.meta.url)
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  root: here('./web'),
  // The app is served at / and at /s/<id>: asset URLs must not be relative to the page.
  base: '/',
  define: { global: 'globalThis' },
  resolve: {
    alias: [
      // Exact matches only, so subpaths such as `process/browser.js` resolve normally.
      { find: /^events$/, replacement: require.resolve('events/') },
      { find: /^buffer$/, replacement: require.resolve('buffer/') },
      { find: /^process$/, replacement: require.resolve('process/browser.js') },
    ],
  },
  build: {
    outDir: here('./dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
})
