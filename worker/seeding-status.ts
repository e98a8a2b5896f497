/** The live "seeding" line of `shoal seed` and `shoal get --keep-seeding`. */
import type { Swarm } from '../core/swarm.ts'
import type { Reporter } from './reporter.ts'
import { whenAborted } from './termination.ts'

const SEEDING_REPORT_INTERVAL_MS = 500

/** Reports the swarm's upload rate, bytes served and peers until the signal fires. */
export async function reportWhileSeeding(swarm: Swarm, reporter: Reporter, signal: AbortSignal): Promise<void> {
  const report = () => {
    const s = swarm.stats()
    reporter.seeding({ uploaded: s.uploadedBytes, uploadRate: s.uploadRate, peers: s.peers })
  }
  report()
  const timer = setInterval(report, SEEDING_REPORT_INTERVAL_MS)
  try {
    await whenAborted(signal)
  } finally {
    clearInterval(timer)
    reporter.endProgress()
  }
}
