/**
 * `window.shoal`: a small read-only hook for debugging from the devtools console and for
 * tests and benchmarks that drive the page (Playwright polls `window.shoal.stats()` instead of
 * scraping the view). It exposes numbers only, no way to change the swarm, and is not an API
 * for other scripts on the page to build on.
 */
import type { JoinedSwarm } from '../core/client/join-swarm.ts'
import type { SwarmStats } from '../core/swarm.ts'

export interface ShoalHook {
  readonly peerId: string
  stats(): SwarmStats
}

declare global {
  interface Window {
    shoal?: ShoalHook
  }
}

export function exposeAutomationHook(target: Window, joined: JoinedSwarm): void {
  const hook: ShoalHook = Object.freeze({ peerId: joined.peerId, stats: () => joined.swarm.stats() })
  Object.defineProperty(target, 'shoal', { value: hook, configurable: true, enumerable: false, writable: false })
}
