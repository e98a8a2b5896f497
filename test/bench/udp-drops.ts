/**
 * UDP datagrams this network namespace dropped because a socket's receive buffer was full
 * (Linux /proc/net/snmp, RcvbufErrors). On a small machine a WebRTC receiver whose network
 * thread is starved of CPU loses packets this way and SCTP backs off, which is what makes some
 * samples much slower than others; recording it per sample tells noise from a real change.
 * Undefined where the counter cannot be read.
 */
import { readFileSync } from 'node:fs'

export function udpReceiveBufferDrops(): number | undefined {
  try {
    const [names, values] = readFileSync('/proc/net/snmp', 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('Udp:'))
      .map((line) => line.trim().split(/\s+/))
    const index = names?.indexOf('RcvbufErrors') ?? -1
    const value = index > 0 ? Number(values?.[index]) : Number.NaN
    return Number.isFinite(value) ? value : undefined
  } catch {
    return undefined
  }
}
