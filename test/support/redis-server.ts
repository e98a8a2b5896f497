/**
 * A real redis-server for a test run: on a free port of 127.0.0.1, nothing saved to disk, in a
 * temporary directory. Tests that need one skip themselves when redis-server is not installed,
 * except in CI (CI=true), where its absence is a failure (.ci/run installs it).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const BINARY = process.env.REDIS_SERVER_PATH ?? 'redis-server'
const START_TIMEOUT_MS = 10_000

export const redisServerAvailable: boolean = (() => {
  const found = spawnSync(BINARY, ['--version'], { stdio: 'ignore' }).status === 0
  if (!found && process.env.CI) throw new Error(`${BINARY} is not installed; CI needs it for the Redis scale-out tests (apt-get install redis-server)`)
  return found
})()

export interface RedisServer {
  url: string
  port: number
  /** Stops the server (SIGTERM) and waits for it to exit; restart() brings it back. */
  stop(): Promise<void>
  /** Starts it again on the same port (empty: nothing was saved). */
  restart(): Promise<void>
  /** Stops it for good and removes its directory. */
  close(): Promise<void>
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort()
  const dir = await mkdtemp(join(tmpdir(), 'shoal-redis-'))
  let child: ChildProcess | undefined = await launch(port, dir)
  const stopChild = async () => {
    const running = child
    child = undefined
    if (!running || running.exitCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGTERM')
    await exited
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: stopChild,
    async restart() {
      await stopChild()
      child = await launch(port, dir)
    },
    async close() {
      await stopChild()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

async function launch(port: number, dir: string): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]
  const child = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within ${START_TIMEOUT_MS} ms: ${output}`)), START_TIMEOUT_MS)
    const fail = (err: Error) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(err)
    }
    const exitedEarly = (code: number | null) => fail(new Error(`redis-server exited (${code}) while starting: ${output}`))
    child.once('error', fail)
    child.once('exit', exitedEarly)
    const read = (chunk: Buffer) => {
      output += chunk
      if (!output.includes('Ready to accept connections')) return
      clearTimeout(timer)
      child.off('exit', exitedEarly)
      // Still read (and drop) what it logs later, so a full pipe never blocks it.
      child.stdout!.off('data', read).on('data', () => {})
      resolve()
    }
    child.stdout!.on('data', read)
    child.stderr!.on('data', (chunk) => (output += chunk))
  })
  return child
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}
