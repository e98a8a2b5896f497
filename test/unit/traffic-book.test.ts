import { describe, expect, it } from 'vitest'
import type { StatsReport } from '../../core/tracker-protocol.ts'
import { TrafficBook } from '../../signaling/traffic-book.ts'

const SWARM = 'ab'.repeat(32)
const report = (fields: Partial<StatsReport> = {}): StatsReport => ({
  swarm: SWARM,
  verifiedBytes: 0,
  size: 100,
  complete: false,
  uploaded: 0,
  downloaded: 0,
  uploadRate: 0,
  downloadRate: 0,
  neighbours: [],
  ...fields,
})

describe('TrafficBook', () => {
  it('leaves out reports that stopped coming', () => {
    let now = 0
    const book = new TrafficBook({ maxAgeMs: 10_000, now: () => now })
    book.record('peer-aaaaaaaa', report())
    now = 5_000
    book.record('peer-bbbbbbbb', report())
    now = 12_000
    expect(book.snapshot().swarms[0]!.peers.map((p) => p.id)).toEqual(['peer-bbb'])
    now = 16_000
    expect(book.snapshot().swarms).toEqual([])
    expect(book.swarmIds()).toEqual([])
  })

  it('draws only flows between peers it shows, and counts an origin only if it downloaded nothing', () => {
    const book = new TrafficBook()
    book.record('seed-0000000', report({ complete: true, verifiedBytes: 100, uploaded: 300, neighbours: [{ peerId: 'gone-0000000', up: 50, down: 0 }] }))
    // Completed by downloading: a seeder now, but its uploads are offload, not origin traffic.
    book.record('late-0000000', report({ complete: true, verifiedBytes: 100, downloaded: 100, uploaded: 100 }))
    const [swarm] = book.snapshot().swarms
    expect(swarm!.edges).toEqual([])
    expect(swarm!.peers.map((p) => [p.id, p.origin])).toEqual([
      ['seed-000', true],
      ['late-000', false],
    ])
    expect(swarm!.offload).toBe(0.25)
    book.remove(SWARM, 'seed-0000000')
    book.remove(SWARM, 'late-0000000')
    expect(book.snapshot().swarms).toEqual([])
  })

  it('caps the peers shown per swarm, busiest first', () => {
    const book = new TrafficBook({ maxPeersPerSwarm: 2 })
    for (const [id, rate] of [['peer-1111111', 1], ['peer-2222222', 30], ['peer-3333333', 20]] as const) book.record(id, report({ uploadRate: rate }))
    expect(book.snapshot().swarms[0]!.peers.map((p) => p.id)).toEqual(['peer-222', 'peer-333'])
  })
})
