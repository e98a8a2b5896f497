/**
 * A tracker restart mid-download, over real WebRTC with real `shoal` processes. The tracker
 * holds everything in memory, so the one that comes back knows no swarm, peer or manifest. The
 * download in flight carries on over its open peer connection; every client reconnects by itself
 * with exponential backoff, then re-announces, and the peers holding the manifest publish it
 * again, so a download started after the restart finds both the manifest and the peers.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomHex } from '../../core/bytes.ts'
import { DEFAULT_RECONNECT_BACKOFF, TrackerClient } from '../../core/client/tracker-client.ts'
import { isShoalError } from '../../core/errors.ts'
import { type CliEvent, type CliRun, runCli } from '../support/cli.ts'
import { randomData, sha256Of } from '../support/data.ts'

const MiB = 1024 * 1024
const FILE_SIZE = 32 * MiB
/** The seeder's cap: 32 MiB takes about 17 s, so the restart happens well inside the download. */
const UPLOAD_LIMIT = '2MB/s'
/** Reconnect attempts to watch (and keep the tracker down for) before bringing it back. */
const ATTEMPTS_WHILE_DOWN = 3
/** Timers fire late, not early (bar a millisecond of rounding); a busy machine makes them later. */
const EARLY_SLACK_MS = 2
const LATE_SLACK_MS = 1000

let dir: string
const runs: CliRun[] = []
const clients: TrackerClient[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-restart-'))
})

afterAll(async () => {
  for (const c of clients) c.close()
  for (const run of runs) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL')
  await Promise.all(runs.map((run) => run.exit))
  await rm(dir, { recursive: true, force: true })
})

function start(args: string[]): CliRun {
  const run = runCli(args)
  runs.push(run)
  return run
}

/** A port nothing listens on right now, for a tracker that must come back at the same address. */
async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

async function waitUntil<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function downloading(run: CliRun): CliEvent | undefined {
  return run.events.find((e) => e.event === 'progress' && e.label === 'downloading' && (e.done as number) > 0)
}

describe('tracker restart', () => {
  it('does not fail a download; clients reconnect with backoff, re-announce and re-publish', { timeout: 150_000 }, async () => {
    const port = await freePort()
    const first = start(['serve', '--port', String(port)])
    const url = String((await first.waitFor('listening')).url)

    const data = randomData(FILE_SIZE)
    const source = join(dir, 'source.bin')
    await writeFile(source, data)
    const seeder = start(['seed', source, '--tracker', url, '--upload-limit', UPLOAD_LIMIT])
    const seeding = await seeder.waitFor('seeding')
    const link = String(seeding.link)
    const id = String(seeding.id)

    // A bystander on the same client code as the CLI, to watch the reconnects from the outside.
    const watcher = await TrackerClient.connect(url)
    clients.push(watcher)
    let droppedAt = 0
    const attempts: { attempt: number; at: number }[] = []
    watcher.onDisconnect(() => (droppedAt ||= performance.now()))
    watcher.onReconnecting((attempt) => attempts.push({ attempt, at: performance.now() }))

    const early = start(['get', link, '-o', join(dir, 'early.bin'), '--keep-seeding'])
    const progress = await waitUntil(() => downloading(early), 60_000, 'the first download to start')
    expect(early.events.find((e) => e.event === 'done'), 'the download is still under way').toBeUndefined()

    first.child.kill('SIGKILL')
    await first.exit
    await waitUntil(() => (attempts.length >= ATTEMPTS_WHILE_DOWN ? true : undefined), 30_000, `${ATTEMPTS_WHILE_DOWN} reconnect attempts`)
    const second = start(['serve', '--port', String(port)])
    await second.waitFor('listening')
    const stillDownloading = !early.events.some((e) => e.event === 'done')

    // Exponential backoff: the delay before attempt n is minDelay * 2^(n-1), give or take the
    // jitter, so each wait is at least (1 - jitter) times that (and at most 1 + jitter times it).
    const { minDelayMs, jitter } = DEFAULT_RECONNECT_BACKOFF
    const waits = attempts.slice(0, ATTEMPTS_WHILE_DOWN).map((a, i) => a.at - (i === 0 ? droppedAt : attempts[i - 1]!.at))
    expect(attempts.slice(0, ATTEMPTS_WHILE_DOWN).map((a) => a.attempt)).toEqual([1, 2, 3])
    waits.forEach((wait, i) => {
      const nominal = minDelayMs * 2 ** i
      expect(wait, `wait before attempt ${i + 1}`).toBeGreaterThanOrEqual(nominal * (1 - jitter) - EARLY_SLACK_MS)
      expect(wait, `wait before attempt ${i + 1}`).toBeLessThanOrEqual(nominal * (1 + jitter) + LATE_SLACK_MS)
    })

    // The new tracker started empty. The manifest comes back from the peers that hold it (the
    // watcher never published it), and the seeder announces itself again.
    await waitUntil(() => (watcher.connected ? true : undefined), 20_000, 'the watcher to reconnect')
    await waitUntil(
      () =>
        watcher.fetchManifest(id).then(
          () => true,
          (err: unknown) => {
            if (isShoalError(err, 'NOT_FOUND')) return undefined
            throw err
          },
        ),
      20_000,
      'a peer to publish the manifest again',
    )
    const watcherId = `watcher-${randomHex(6)}`
    await waitUntil(
      async () => {
        // As complete, so the seeder never dials the watcher; it leaves at once anyway.
        const peers = await watcher.announce({ swarm: id, peerId: watcherId, pieces: 0, complete: true })
        await watcher.leave(id)
        return peers.some((p) => p.peerId === seeding.peerId) ? true : undefined
      },
      20_000,
      'the seeder to announce again',
    )

    // A download started after the restart finds the manifest and the peers.
    const late = start(['get', link, '-o', join(dir, 'late.bin')])
    const [earlyDone, lateDone] = await Promise.all([early.waitFor('done'), late.waitFor('done')])
    expect(earlyDone.sha256).toBe(sha256Of(data))
    expect(lateDone.sha256).toBe(sha256Of(data))
    expect((await late.exit).code).toBe(0)
    console.log(
      `restart: killed the tracker at ${(((progress.done as number) / FILE_SIZE) * 100).toFixed(0)}% of the first download;` +
        ` reconnect waits ${waits.map((w) => w.toFixed(0)).join(', ')} ms; first download ${stillDownloading ? 'still under way' : 'already done'} when the new tracker was up`,
    )

    early.child.kill('SIGINT')
    await early.waitFor('stopped')
    expect((await early.exit).code).toBe(0)
    seeder.child.kill('SIGTERM')
    await seeder.waitFor('stopped')
    expect((await seeder.exit).code).toBe(0)
    second.child.kill('SIGTERM')
    expect((await second.exit).code).toBe(0)
  })
})
