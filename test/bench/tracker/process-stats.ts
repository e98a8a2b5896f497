/**
 * What the kernel says about a process (Linux /proc): resident memory and CPU time. Read from
 * outside, so measuring the service under test costs it nothing.
 */
import { readFile } from 'node:fs/promises'

/** VmRSS in bytes. */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kB = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1]
  if (kB === undefined) throw new Error(`no VmRSS for process ${pid}`)
  return Number(kB) * 1024
}

/** The kernel's clock tick (USER_HZ); 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100

/** User + system CPU time in ms. */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
}

/**
 * ms the process's main thread (where its JavaScript runs) spent runnable but waiting for a
 * core (/proc/<pid>/schedstat, second field): on a shared machine, the time others took from it.
 */
export async function runQueueWaitMs(pid: number): Promise<number> {
  const schedstat = await readFile(`/proc/${pid}/schedstat`, 'utf8')
  return Number(schedstat.split(' ')[1]) / 1e6
}

export interface ProcessCpu {
  /** CPU time as a share of one core. */
  share: number
  /** ms its main thread waited for a core. */
  waitedMs: number
}

/** Starts measuring `pid`'s CPU; the returned function answers its use since then. */
export async function measureProcessCpu(pid: number): Promise<() => Promise<ProcessCpu>> {
  const [cpuBefore, waitBefore] = await Promise.all([cpuMs(pid), runQueueWaitMs(pid)])
  const t0 = performance.now()
  return async () => {
    const [cpu, wait] = await Promise.all([cpuMs(pid), runQueueWaitMs(pid)])
    return { share: (cpu - cpuBefore) / (performance.now() - t0), waitedMs: wait - waitBefore }
  }
}
