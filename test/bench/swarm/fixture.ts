/**
 * What both swarm benchmarks share: a random file, the real tracker (`shoal serve --port 0`)
 * and one Node seeder (`shoal seed --upload-limit U`), all as real CLI processes, and their
 * orderly shutdown. The manifest is published up front, so the seeder can be started before
 * the peers or after them; its `stopped.uploaded` is the origin load the benchmarks are about.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { utf8 } from '../../../core/bytes.ts'
import { TrackerClient } from '../../../core/client/tracker-client.ts'
import { formatShareLink } from '../../../core/link.ts'
import { encodeManifest } from '../../../core/manifest.ts'
import { manifestOfFile } from '../../../worker/hash.ts'
import { type CliRun, runCli } from '../../support/cli.ts'

export const MiB = 1024 * 1024

/** The file every peer downloads. */
export const SWARM_FILE_SIZE = 32 * MiB
/**
 * Every peer's upload cap, the seeder's included: decimal, as links are sold. The environment
 * (`SHOAL_BENCH_UPLOAD_LIMIT`) may override the benchmark's default, as `SHOAL_BENCH_PEERS`
 * does the peer count, to probe where a machine stops keeping up.
 */
export function uploadLimit(fallback: string): string {
  return process.env.SHOAL_BENCH_UPLOAD_LIMIT ?? fallback
}

/** `SHOAL_BENCH_PEERS`, or the benchmark's own default. */
export function peerCount(fallback: number): number {
  const n = Number(process.env.SHOAL_BENCH_PEERS)
  return Number.isInteger(n) && n > 0 ? n : fallback
}

export interface SwarmFixture {
  dir: string
  file: string
  size: number
  sha256: string
  trackerUrl: string
  link: string
  /** Starts `shoal seed`; resolves once it has joined the swarm (its `seeding` event). */
  startSeeder(): Promise<void>
  /** Stops the seeder and answers its `stopped.uploaded`. */
  stopSeeder(): Promise<number>
  /** Ends every process the fixture started and removes its files; safe to call twice. */
  close(): Promise<void>
}

export async function startSwarmFixture(options: { uploadLimit: string; size?: number; name?: string }): Promise<SwarmFixture> {
  const size = options.size ?? SWARM_FILE_SIZE
  const dir = await mkdtemp(join(tmpdir(), 'shoal-bench-swarm-'))
  const file = join(dir, options.name ?? 'payload.bin')
  const data = randomBytes(size)
  await writeFile(file, data)
  const sha256 = createHash('sha256').update(data).digest('hex')

  const started: CliRun[] = []
  const close = async () => {
    await Promise.all(started.map((run) => stop(run)))
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const tracker = runCli(['serve', '--port', '0'])
    started.push(tracker)
    const trackerUrl = String((await tracker.waitFor('listening')).url)
    // What `shoal seed` publishes too (the tracker keeps one copy per id): peers can fetch it
    // and join before any seeder is there.
    const client = await TrackerClient.connect(trackerUrl)
    let id: string
    try {
      id = await client.publishManifest(utf8.decode(encodeManifest(await manifestOfFile(file))))
    } finally {
      client.close()
    }
    let seeder: CliRun | undefined
    return {
      dir,
      file,
      size,
      sha256,
      trackerUrl,
      link: formatShareLink(trackerUrl, id),
      async startSeeder() {
        seeder = runCli(['seed', file, '--tracker', trackerUrl, '--upload-limit', options.uploadLimit])
        started.push(seeder)
        const seeding = await seeder.waitFor('seeding')
        if (seeding.id !== id) throw new Error(`the seeder published ${String(seeding.id)}, not ${id}`)
      },
      async stopSeeder() {
        if (!seeder) throw new Error('no seeder was started')
        await stop(seeder)
        return Number((await seeder.waitFor('stopped')).uploaded)
      },
      close,
    }
  } catch (err) {
    await close()
    throw err
  }
}

/** SIGTERM, then SIGKILL if the process does not exit within `graceMs`. */
export async function stop(run: CliRun, graceMs = 10_000): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return
  run.child.kill('SIGTERM')
  const timer = setTimeout(() => run.child.kill('SIGKILL'), graceMs)
  await run.exit
  clearTimeout(timer)
}
