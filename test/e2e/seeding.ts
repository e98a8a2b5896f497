/**
 * The Node side of browser tests: one `shoal serve` per spec file and `shoal seed` processes
 * whose --json `stopped` event reports how many bytes they uploaded.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomData, sha256Of } from '../support/data.ts'
import { type CliRun, runCli } from '../support/cli.ts'

export interface Tracker {
  url: string
  dir: string
  close(): Promise<void>
}

export async function startTracker(): Promise<Tracker> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-e2e-'))
  const run = runCli(['serve', '--port', '0'])
  const url = String((await run.waitFor('listening')).url)
  return {
    url,
    dir,
    async close() {
      run.child.kill('SIGTERM')
      await run.exit
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export interface Seeder {
  link: string
  /** Stops the seeder (SIGTERM) and returns the bytes it uploaded. */
  stop(): Promise<number>
}

/** Seeds a file on disk; `args` go to `shoal seed` (e.g. --upload-limit). */
export async function seedFile(tracker: Tracker, file: string, args: string[] = []): Promise<Seeder> {
  const run: CliRun = runCli(['seed', file, '--tracker', tracker.url, ...args])
  const link = String((await run.waitFor('seeding')).link)
  return {
    link,
    async stop() {
      run.child.kill('SIGTERM')
      const stopped = await run.waitFor('stopped')
      await run.exit
      return Number(stopped.uploaded)
    },
  }
}

/** Writes `size` random bytes as `name` in the tracker's temp dir and seeds them. */
export async function seedRandomFile(tracker: Tracker, name: string, size: number, args: string[] = []): Promise<Seeder & { sha256: string }> {
  const data = randomData(size)
  const file = join(tracker.dir, name)
  await writeFile(file, data)
  return { ...(await seedFile(tracker, file, args)), sha256: sha256Of(data) }
}
