/**
 * An end of a benchmarked link: a LinkLab in this Node process or in a Chromium page, driven
 * through the same async calls. Signals a lab emits go to `onSignal`, which connect() points at
 * the other end.
 */
import type { Browser } from '@playwright/test'
import { sha256HexNode } from '../../../worker/hash.ts'
import { loadWrtc } from '../../../worker/wrtc.ts'
import { LAB_METHODS, type LabCalls, type LabMethod, LinkLab, type SignalSink } from './lab.ts'

export interface Endpoint extends LabCalls {
  readonly label: string
  onSignal: SignalSink | undefined
  dispose(): Promise<void>
}

type Call = (method: LabMethod, args: unknown[]) => Promise<unknown>

function forward(call: Call): LabCalls {
  return Object.fromEntries(LAB_METHODS.map((m) => [m, (...args: unknown[]) => call(m, args)])) as unknown as LabCalls
}

/** A lab in this process: @roamhq/wrtc, and Node's native SHA-256 as the CLI uses. */
export function nodeEndpoint(label: string): Endpoint {
  const endpoint: Endpoint = {
    label,
    onSignal: undefined,
    ...forward((method, args) => (lab[method] as (...a: unknown[]) => Promise<unknown>).apply(lab, args)),
    dispose: async () => undefined,
  }
  const lab = new LinkLab({ wrtc: loadWrtc(), hashPiece: sha256HexNode, onSignal: (key, data) => endpoint.onSignal?.(key, data) })
  return endpoint
}

/** A lab in a fresh page of its own browser context (its own WebRTC and storage). */
export async function pageEndpoint(browser: Browser, url: string, label: string): Promise<Endpoint> {
  const context = await browser.newContext()
  const page = await context.newPage()
  page.on('pageerror', (error) => console.error(`[${label}] uncaught: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') console.error(`[${label}] ${message.text()}`)
  })
  const endpoint: Endpoint = {
    label,
    onSignal: undefined,
    ...forward((method, args) =>
      page.evaluate(([m, a]) => {
        const lab = (globalThis as unknown as { shoalBench: Record<string, (...x: unknown[]) => Promise<unknown>> }).shoalBench
        return lab[m]!(...a)
      }, [method, args] as const),
    ),
    dispose: () => context.close(),
  }
  await page.exposeFunction('shoalBenchSignal', (key: string, data: unknown) => endpoint.onSignal?.(key, data))
  await page.goto(url)
  await page.waitForFunction(() => 'shoalBench' in globalThis)
  return endpoint
}
