/**
 * Waits for the shared machine to quiet down before a round: on two cores, another test run
 * starting mid-round starves the services and the generators alike and turns a latency
 * benchmark into a measure of the neighbours. Gives up after a while and says how busy it was.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { measureCpu } from '../swarm/cpu-usage.ts'

/** Share of all cores busy (others' work plus the previous round's teardown) under which a round may start. */
const QUIET_BUSY = 0.35
const SAMPLE_MS = 2000
const MAX_WAIT_MS = 60_000

export interface Quiet {
  /** 0..1 of all cores, over the last sample before the round started. */
  busy: number
  waitedMs: number
}

export async function waitForQuiet(): Promise<Quiet> {
  const t0 = performance.now()
  for (;;) {
    const cpu = measureCpu()
    await sleep(SAMPLE_MS)
    const { busy } = cpu()
    const waitedMs = performance.now() - t0
    if (busy <= QUIET_BUSY || waitedMs >= MAX_WAIT_MS) return { busy, waitedMs: Math.round(waitedMs) }
  }
}
