/**
 * Every benchmark `npm run bench` knows, by name, in report order. One line per benchmark; each
 * module is loaded only when its benchmark runs, so one benchmark's imports cannot break another.
 */
import type { Benchmark } from './bench-result.ts'

export const benchmarks: Record<string, Benchmark> = {
  link: async () => (await import('./link-efficiency.ts')).linkEfficiency(),
  'swarm-browsers': async () => (await import('./swarm-browsers.ts')).swarmBrowsers(),
  'swarm-node': async () => (await import('./swarm-node.ts')).swarmNode(),
  'browser-store': async () => (await import('./browser-store.ts')).browserStore(),
  tracker: async () => (await import('./tracker/bench.ts')).trackerBench(),
  simulator: async () => (await import('./simulator.ts')).simulatorBench(),
}
