/**
 * An end of a benchmarked link: a LinkLab in a Node process of its own or in a Chromium page,
 * driven through the same async calls. Signals a lab emits go to `onSignal`, which connect() points at
 * the other end.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Browser } from '@playwright/test'
import { LAB_METHODS, type LabCalls, type LabMethod, type SignalSink } from './lab.ts'
import type { LabCall, LabReply } from './node-process.ts'

export interface Endpoint extends LabCalls {
  readonly label: string
  onSignal: SignalSink | undefined
  dispose(): Promise<void>
}

type Call = (method: LabMethod, args: unknown[]) => Promise<unknown>

function forward(call: Call): LabCalls {
  return Object.fromEntries(LAB_METHODS.map((m) => [m, (...args: unknown[]) => call(m, args)])) as unknown as LabCalls
}

const NODE_PROCESS = fileURLToPath(new URL('./node-process.ts', import.meta.url))

/** A lab in a Node process of its own (see node-process.ts), forked with this process's loader (tsx). */
export async function nodeEndpoint(label: string): Promise<Endpoint> {
  // SHOAL_BENCH_NODE_ARGS adds Node flags to each peer, e.g. `--cpu-prof --cpu-prof-dir=prof` to profile them.
  const extraArgs = process.env.SHOAL_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []
  const child = fork(NODE_PROCESS, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...extraArgs] })
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  let nextId = 0
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.once('exit', (code, signal) => {
    for (const { reject } of pending.values()) reject(new Error(`${label} exited (${signal ?? code})`))
    pending.clear()
  })
  child.on('message', (message: LabReply) => {
    if ('signal' in message) return endpoint.onSignal?.(...message.signal)
    const call = pending.get(message.id)
    pending.delete(message.id)
    if (message.ok) call?.resolve(message.value)
    else call?.reject(new Error(`${label}: ${message.error}`))
  })
  const endpoint: Endpoint = {
    label,
    onSignal: undefined,
    ...forward(
      (method, args) =>
        new Promise((resolve, reject) => {
          const id = nextId++
          pending.set(id, { resolve, reject })
          child.send({ id, method, args } satisfies LabCall)
        }),
    ),
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        child.disconnect()
        await exited
      }
    },
  }
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve())
    child.once('error', reject)
  })
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
