/**
 * The benchmark page, built with the app's vite.config.ts (test/e2e/harness.ts): a LinkLab on
 * Chromium's own WebRTC, exposed as `globalThis.shoalBench` for page.evaluate, and a StoreLab
 * (IndexedDB piece store, hash worker) as `globalThis.shoalStoreBench`. Signals leave
 * through `shoalBenchSignal`, which the benchmark installs with page.exposeFunction.
 */
import '../../../web/shims.ts'
import { LinkLab } from '../link/lab.ts'
import { StoreLab } from '../store/store-lab.ts'

const scope = globalThis as unknown as {
  shoalBench?: LinkLab
  shoalStoreBench?: StoreLab
  shoalBenchSignal?: (key: string, data: unknown) => Promise<void>
}

scope.shoalBench = new LinkLab({
  onSignal: (key, data) => void scope.shoalBenchSignal?.(key, data),
})
scope.shoalStoreBench = new StoreLab()
