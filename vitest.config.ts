/**
 * Vitest runs the Node-side suites: unit tests (pure, fast) and integration tests (real
 * signaling server and Node WebRTC peers, run inside a network namespace by scripts/test.sh).
 * It has its own config so that vite.config.ts (rooted at web/) stays the web build's alone.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    environment: 'node',
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    // Safety nets for hung sockets or peers, not assertions: a slow CI machine with two shared
    // cores must not turn a correct transfer into a failure.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
})
