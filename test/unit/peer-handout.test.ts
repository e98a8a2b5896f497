import { describe, expect, it } from 'vitest'
import { choosePeers } from '../../signaling/peer-handout.ts'
import type { PeerInfo } from '../../core/tracker-protocol.ts'

const peer = (peerId: string, pieces = 0, complete = false): PeerInfo => ({ peerId, pieces, complete })

/** A deterministic stand-in for Math.random. */
function seeded(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state / 2 ** 31
  }
}

describe('choosePeers', () => {
  it('never hands the asker to itself', () => {
    const peers = [peer('asker'), peer('a'), peer('b')]
    expect(choosePeers(peers, { exclude: 'asker' }).map((p) => p.peerId).sort()).toEqual(['a', 'b'])
  })

  it('hands out at most `limit` distinct peers', () => {
    const peers = Array.from({ length: 200 }, (_, i) => peer(`p${i}`))
    const chosen = choosePeers(peers, { exclude: 'p0', limit: 50, random: seeded(1) })
    expect(chosen).toHaveLength(50)
    expect(new Set(chosen.map((p) => p.peerId)).size).toBe(50)
    expect(chosen.some((p) => p.peerId === 'p0')).toBe(false)
  })

  it('samples every peer about equally often', () => {
    const peers = Array.from({ length: 20 }, (_, i) => peer(`p${i}`))
    const counts = new Map<string, number>()
    const random = seeded(7)
    for (let round = 0; round < 2000; round++) {
      for (const p of choosePeers(peers, { exclude: 'none', limit: 5, random })) counts.set(p.peerId, (counts.get(p.peerId) ?? 0) + 1)
    }
    // Expected 500 each (2000 rounds x 5 of 20).
    for (const count of counts.values()) expect(count).toBeGreaterThan(400)
    expect(counts.size).toBe(20)
  })

  it('hands the sample out in random order, not the richest peers first', () => {
    const peers = [peer('a', 1), peer('seed', 10, true), peer('b', 5), peer('c', 0)]
    const random = seeded(3)
    const firsts = new Map<string, number>()
    for (let round = 0; round < 400; round++) {
      const first = choosePeers(peers, { exclude: 'x', random })[0]!.peerId
      firsts.set(first, (firsts.get(first) ?? 0) + 1)
    }
    // Expected 100 each: every peer leads about a quarter of the handouts, the seed no more often.
    expect(firsts.size).toBe(4)
    for (const count of firsts.values()) expect(count).toBeGreaterThan(60)
  })

  it('does not hand out its own records', () => {
    const peers = [peer('a', 1)]
    const [chosen] = choosePeers(peers, { exclude: 'x' })
    expect(chosen).toEqual(peers[0])
    expect(chosen).not.toBe(peers[0])
  })
})
