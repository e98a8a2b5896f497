/**
 * The benchmark's side of the load generators (generator.ts): forks them, splits the peers
 * between them, and runs the two phases, connect (ramp-up) and announce, in step across all.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ConnectReport, FromGenerator, GeneratorSetup, RunReport, ToGenerator } from './messages.ts'
import { stopChild } from './service.ts'

const GENERATOR = fileURLToPath(new URL('./generator.ts', import.meta.url))
/** Connections one generator may have opening at once: enough to keep the ramp rate, few enough not to overflow the listen backlog. */
const MAX_PENDING = 100

export interface LoadPlan {
  urls: string[]
  peers: number
  swarms: string[]
  rampPerSecond: number
}

export class LoadGenerators {
  readonly #children: ChildProcess[]
  readonly #onProgress: (connected: number) => void
  readonly #progress: number[]

  /** Forks `count` generators; `onProgress` hears the total connected peers during ramp-up. */
  constructor(count: number, onProgress: (connected: number) => void) {
    // The generators load this file's TypeScript through the same loader (tsx) as the benchmark.
    this.#children = Array.from({ length: count }, () => fork(GENERATOR, { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }))
    this.#progress = this.#children.map(() => 0)
    this.#onProgress = onProgress
  }

  get pids(): number[] {
    return this.#children.map((c) => c.pid!)
  }

  /** Opens every peer (each announces once); resolves when every generator has finished its share. */
  connect(plan: LoadPlan): Promise<ConnectReport[]> {
    const n = this.#children.length
    return Promise.all(
      this.#children.map((child, g) => {
        const setup: GeneratorSetup = {
          urls: plan.urls,
          from: Math.floor((plan.peers * g) / n),
          to: Math.floor((plan.peers * (g + 1)) / n),
          swarms: plan.swarms,
          rampPerSecond: plan.rampPerSecond / n,
          maxPending: MAX_PENDING,
        }
        return this.#request<ConnectReport>(g, { type: 'connect', setup }, 'connected')
      }),
    )
  }

  /** Announces at `ratePerSecond` in total for `seconds`. */
  run(ratePerSecond: number, seconds: number): Promise<RunReport[]> {
    const n = this.#children.length
    return Promise.all(this.#children.map((_, g) => this.#request<RunReport>(g, { type: 'run', ratePerSecond: ratePerSecond / n, seconds }, 'ran')))
  }

  /** Disconnects every peer, then ends the generator processes. */
  async close(): Promise<void> {
    await Promise.all(
      this.#children.map(async (child, g) => {
        if (child.connected) await this.#request(g, { type: 'close' }, 'closed', 30_000).catch(() => undefined)
        await stopChild(child)
      }),
    )
  }

  #request<T extends FromGenerator>(g: number, message: ToGenerator, answer: T['type'], timeoutMs = 600_000): Promise<T> {
    const child = this.#children[g]!
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => settle(new Error(`generator ${g} did not answer ${message.type} within ${timeoutMs} ms`)), timeoutMs)
      const onExit = (code: number | null) => settle(new Error(`generator ${g} exited (${code}) during ${message.type}`))
      const onMessage = (reply: FromGenerator) => {
        if (reply.type === 'progress') {
          this.#progress[g] = reply.connected
          this.#onProgress(this.#progress.reduce((a, b) => a + b, 0))
        } else if (reply.type === 'error') settle(new Error(`generator ${g}: ${reply.message}`))
        else if (reply.type === answer) settle(undefined, reply as T)
      }
      const settle = (err?: Error, value?: T) => {
        clearTimeout(timer)
        child.off('message', onMessage)
        child.off('exit', onExit)
        if (err) reject(err)
        else resolve(value!)
      }
      child.on('message', onMessage)
      child.once('exit', onExit)
      child.send(message)
    })
  }
}
