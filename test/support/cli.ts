/** Runs the real `shoal` CLI as a child process and reads its --json events. */
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/shoal.js', import.meta.url))

export interface CliEvent {
  event: string
  [field: string]: unknown
}

export interface CliRun {
  child: ChildProcess
  events: CliEvent[]
  /** Resolves with the first event named `name` (past or future); rejects if the process exits first. */
  waitFor(name: string): Promise<CliEvent>
  exit: Promise<{ code: number | null; stderr: string }>
}

export function runCli(args: string[], options: { cwd?: string } = {}): CliRun {
  const child = spawn(process.execPath, [BIN, ...args, '--json'], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  const events: CliEvent[] = []
  const waiters: { name: string; resolve: (e: CliEvent) => void; reject: (e: Error) => void }[] = []
  let stderr = ''
  child.stderr!.on('data', (chunk) => (stderr += chunk))
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as CliEvent
    events.push(event)
    for (const w of waiters.filter((w) => w.name === event.event)) {
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve(event)
    }
  })
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => {
      const how = signal === null ? `exited (${code})` : `was killed by ${signal}`
      for (const w of waiters.splice(0)) w.reject(new Error(`shoal ${args[0]} ${how} before "${w.name}": ${stderr} ${JSON.stringify(events)}`))
      resolve({ code, stderr })
    })
  })
  return {
    child,
    events,
    exit,
    waitFor(name) {
      const seen = events.find((e) => e.event === name)
      if (seen) return Promise.resolve(seen)
      if (child.exitCode !== null) return Promise.reject(new Error(`shoal ${args[0]} already exited`))
      return new Promise((resolve, reject) => waiters.push({ name, resolve, reject }))
    },
  }
}
