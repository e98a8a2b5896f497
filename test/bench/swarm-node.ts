/**
 * Benchmark `swarm-node`: one seeder and N = 12 headless Node leechers (`shoal get
 * --upload-limit U --keep-seeding`, all started at once), every upload capped at U. Shows the
 * swarm at a scale that Chromium pages cannot reach on this machine: if the leechers serve
 * each other, everyone is done in about S/U, not the N·S/U one server would need.
 *
 * The leechers start first and the seeder joins once all of them are in the swarm: starting
 * 12 processes (tsx, @roamhq/wrtc) takes several seconds on two shared cores, which on real
 * machines would happen in parallel, and would otherwise be counted as transfer time.
 */
import { join } from 'node:path'
import { parseRate } from '../../core/rate.ts'
import { type CliRun, runCli } from '../support/cli.ts'
import type { BenchResult } from './bench-result.ts'
import { measureCpu } from './swarm/cpu-usage.ts'
import { peerCount, startSwarmFixture, stop, uploadLimit } from './swarm/fixture.ts'
import { type PeerOutcome, swarmReport } from './swarm/report.ts'

const LEECHERS = peerCount(12)
const UPLOAD_LIMIT = uploadLimit('2MB/s')
/** `get` gives up after this long without a piece: covers the wait for the seeder, and a stuck run fails instead of hanging. */
const NO_PROGRESS_TIMEOUT_S = 120

export async function swarmNode(): Promise<BenchResult> {
  const fixture = await startSwarmFixture({ uploadLimit: UPLOAD_LIMIT })
  const leechers: CliRun[] = []
  try {
    const spawnedAt = performance.now()
    for (let i = 1; i <= LEECHERS; i++) {
      leechers.push(
        runCli([
          'get', fixture.link,
          '-o', join(fixture.dir, `leecher-${i}.bin`),
          '--upload-limit', UPLOAD_LIMIT,
          '--keep-seeding',
          '--timeout', String(NO_PROGRESS_TIMEOUT_S),
        ]),
      )
    }
    // A leecher's first progress line comes within 250 ms of joining (it has no partial file to check).
    const joinedAt = await Promise.all(leechers.map((run) => run.waitFor('progress').then(() => performance.now())))
    const startupS = (Math.max(...joinedAt) - spawnedAt) / 1000

    await fixture.startSeeder()
    const t0 = performance.now()
    const cpu = measureCpu()
    const timed = await Promise.all(
      leechers.map(async (run) => {
        const done = await run.waitFor('done')
        return { done, completedS: (performance.now() - t0) / 1000 }
      }),
    )
    const cpuUsage = cpu()
    // Everyone has the file: the origin's total is final.
    const seederUploadedBytes = await fixture.stopSeeder()
    const stopped = await Promise.all(
      leechers.map(async (run) => {
        await stop(run)
        return run.waitFor('stopped')
      }),
    )
    const peers: PeerOutcome[] = timed.map(({ done, completedS }, i) => ({
      peer: `node ${i + 1}`,
      completedS,
      downloadedBytes: Number(done.downloaded),
      uploadedBytes: Number(stopped[i]!.uploaded),
      verified: done.sha256 === fixture.sha256 && done.size === fixture.size,
    }))
    return await swarmReport({
      name: 'swarm-node',
      title: `Swarm of ${LEECHERS} Node leechers, every upload capped at ${UPLOAD_LIMIT}`,
      peerKind: 'Node leechers (shoal get --keep-seeding)',
      clock: 'the seeder joined the swarm',
      size: fixture.size,
      uploadRate: parseRate(UPLOAD_LIMIT),
      uploadLimit: UPLOAD_LIMIT,
      seederUploadedBytes,
      peers,
      cpu: cpuUsage,
      notes: [
        `All ${LEECHERS} \`shoal get\` processes were spawned together; ${startupS.toFixed(1)} s later all had joined the swarm (start-up of ${LEECHERS} processes on this machine's shared cores, not counted), then \`shoal seed\` started and time zero is its \`seeding\` line (file hashed, swarm joined): its connections to the leechers are part of the measured time. A leecher's completion is its \`done\` line (file renamed into place and hashed). "verified": \`done.sha256\` equals the source's SHA-256. "uploaded / S" is each leecher's \`stopped.uploaded\` (it kept seeding until all were done).`,
      ],
      extra: { startupS },
    })
  } finally {
    await Promise.all(leechers.map((run) => stop(run)))
    await fixture.close()
  }
}
