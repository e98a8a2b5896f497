/**
 * The services under test, each a process of its own: the real `shoal serve --port 0 --json`
 * (bin/shoal.js, as an operator runs it) or the bare Socket.IO echo server. Both are started
 * with service-probe.mjs preloaded and an IPC channel, so the benchmark can ask for their heap
 * after a full GC and for their GC pauses and event-loop delay over the announce window; their
 * resident memory and CPU time come from /proc.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../../bin/shoal.js', import.meta.url))
const ECHO_SERVER = fileURLToPath(new URL('./echo-server.ts', import.meta.url))
const PROBE = new URL('./service-probe.mjs', import.meta.url).href
const NODE_FLAGS = ['--expose-gc', '--import', PROBE]
const START_TIMEOUT_MS = 30_000
const STOP_GRACE_MS = 10_000

export interface MemoryUsage {
  rss: number
  heapUsed: number
  heapTotal: number
  external: number
  arrayBuffers: number
}

export interface ServiceProcess {
  /** e.g. `shoal serve` or `socket.io echo`. */
  label: string
  pid: number
  url: string
  /** process.memoryUsage() inside the service, after a full GC if `gc`. */
  memory(gc: boolean): Promise<MemoryUsage>
  /** Starts watching GC pauses and event-loop delay; `windowEnd` answers what happened since. */
  windowStart(): Promise<void>
  windowEnd(): Promise<WindowReport>
  /** The tracker's own counts (`GET /stats`), or undefined where there is none (the echo server). */
  stats(): Promise<TrackerStatsView | undefined>
  stop(): Promise<void>
}

/** Inside a service over the announce window (service-probe.mjs). */
export interface WindowReport {
  /** GC pauses by kind (minor, major, incremental, weakcb). */
  gc: Record<string, { count: number; totalMs: number; maxMs: number }>
  longestPausesMs: number[]
  /** GC pauses of 10 ms or more (and every major or incremental one), and event-loop stalls over 50 ms, by when they began (ms into the window). */
  longPauses: { kind: string; atMs: number; ms: number }[]
  stalls: { atMs: number; ms: number }[]
  /** How late the service's event loop ran, past its sampling interval. */
  loopDelayMs: { p50: number; p99: number; max: number }
}

/** The part of a tracker's `GET /stats` the benchmark reads (signaling/metrics.ts). */
export interface TrackerStatsView {
  sockets: number
  peers: number | null
  swarms: number | null
  announces: number
  rejections: Record<string, number>
}

/** `shoal serve --port 0 --json [...extraArgs]`, resolved once it reports `listening`. */
export async function startShoalServe(extraArgs: string[] = []): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...NODE_FLAGS, BIN, 'serve', '--port', '0', ...extraArgs, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = ''
    child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)))
    const timer = setTimeout(() => reject(new Error(`shoal serve did not start within ${START_TIMEOUT_MS} ms: ${stderr}`)), START_TIMEOUT_MS)
    child.once('exit', (code) => reject(new Error(`shoal serve exited (${code}) before listening: ${stderr}`)))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      // Anything else on stdout (logs) is not ours to read.
      let event: { event?: unknown; url?: unknown }
      try {
        event = JSON.parse(line) as typeof event
      } catch {
        return
      }
      if (event.event === 'listening' && typeof event.url === 'string') {
        clearTimeout(timer)
        resolve(event.url)
      }
    })
  }).catch(async (err: unknown) => {
    await stopChild(child)
    throw err
  })
  return serviceOf('shoal serve', child, url)
}

/** The bare Socket.IO server of echo-server.ts, the latency and memory floor. */
export async function startEchoServer(): Promise<ServiceProcess> {
  const child = fork(ECHO_SERVER, { execArgv: [...process.execArgv, ...NODE_FLAGS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the echo server did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS)
    child.once('exit', (code) => reject(new Error(`the echo server exited (${code}) before listening`)))
    child.on('message', (message: { type?: string; url?: string }) => {
      if (message.type !== 'listening' || message.url === undefined) return
      clearTimeout(timer)
      resolve(message.url)
    })
  }).catch(async (err: unknown) => {
    await stopChild(child)
    throw err
  })
  return serviceOf('socket.io echo', child, url)
}

function serviceOf(label: string, child: ChildProcess, url: string): ServiceProcess {
  let nextId = 0
  /** Sends a probe request and resolves with the answer carrying the same id. */
  const ask = <T>(request: Record<string, unknown>): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = nextId++
      const timer = setTimeout(() => done(new Error(`${label} did not answer ${String(request.type)}`)), START_TIMEOUT_MS)
      const onMessage = (message: { type?: string; id?: number }) => {
        if (message.type === request.type && message.id === id) done(undefined, message as T)
      }
      const done = (err?: Error, answer?: T) => {
        clearTimeout(timer)
        child.off('message', onMessage)
        if (err) reject(err)
        else resolve(answer!)
      }
      child.on('message', onMessage)
      child.send({ ...request, id })
    })
  return {
    label,
    pid: child.pid!,
    url,
    memory: async (gc) => {
      const { rss, heapUsed, heapTotal, external, arrayBuffers } = await ask<MemoryUsage>({ type: 'memory', gc })
      return { rss, heapUsed, heapTotal, external, arrayBuffers }
    },
    windowStart: async () => void (await ask({ type: 'window', action: 'start' })),
    windowEnd: async () => (await ask<{ report: WindowReport }>({ type: 'window', action: 'end' })).report,
    stats: async () => {
      const response = await fetch(`${url}/stats`, { signal: AbortSignal.timeout(START_TIMEOUT_MS) }).catch(() => undefined)
      if (!response?.ok) return undefined
      const { sockets, peers, swarms, announces, rejections } = (await response.json()) as TrackerStatsView
      return { sockets, peers, swarms, announces, rejections }
    },
    stop: () => stopChild(child),
  }
}

/** SIGTERM, then SIGKILL if it is still there after a grace period. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
  await exited
  clearTimeout(timer)
}
