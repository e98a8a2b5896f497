import { describe, expect, it } from 'vitest'
import { choosePeers } from '../../signaling/peer-handout.ts'
import type { HandoutCandidate } from '../../signaling/peer-handout.ts'
import type { PeerInfo } from '../../core/tracker-protocol.ts'

const peer = (peerId: string, pieces = 0, complete = false): PeerInfo => ({ peerId, pieces, complete })
const fullPeer = (peerId: string): HandoutCandidate => ({ ...peer(peerId), full: true })

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

  it('hands out peers with room before peers that are full, and full ones only to make up the number', () => {
    const full = Array.from({ length: 10 }, (_, i) => fullPeer(`full${i}`))
    const withRoom = Array.from({ length: 3 }, (_, i) => peer(`room${i}`))
    // Interleaved, so the order the store lists them in cannot be what puts room first.
    const candidates = [...full.slice(0, 5), ...withRoom, ...full.slice(5), peer('asker')]
    const random = seeded(5)
    for (let round = 0; round < 50; round++) {
      const few = choosePeers(candidates, { exclude: 'asker', limit: 2, random }).map((p) => p.peerId)
      expect(few.every((id) => id.startsWith('room'))).toBe(true)
      const chosen = choosePeers(candidates, { exclude: 'asker', limit: 6, random }).map((p) => p.peerId)
      expect(chosen.slice(0, 3).sort()).toEqual(['room0', 'room1', 'room2'])
      expect(chosen.slice(3)).toHaveLength(3)
      expect(chosen.slice(3).every((id) => id.startsWith('full'))).toBe(true)
      expect(chosen).not.toContain('asker')
    }
    // A peer that is full is still handed out when nobody else is left, but never to itself.
    expect(choosePeers([fullPeer('asker'), fullPeer('only')], { exclude: 'asker' })).toEqual([peer('only')])
  })

  it('samples uniformly within each group: among those with room, and among the full ones topping up', () => {
    const candidates = [
      ...Array.from({ length: 4 }, (_, i) => peer(`room${i}`)),
      ...Array.from({ length: 20 }, (_, i) => fullPeer(`full${i}`)),
    ]
    const counts = new Map<string, number>()
    const firsts = new Map<string, number>()
    const random = seeded(11)
    for (let round = 0; round < 2000; round++) {
      const chosen = choosePeers(candidates, { exclude: 'none', limit: 9, random })
      for (const p of chosen) counts.set(p.peerId, (counts.get(p.peerId) ?? 0) + 1)
      firsts.set(chosen[0]!.peerId, (firsts.get(chosen[0]!.peerId) ?? 0) + 1)
    }
    // Every peer with room in every handout, each leading about a quarter of them (500).
    for (let i = 0; i < 4; i++) expect(counts.get(`room${i}`)).toBe(2000)
    expect([...firsts.keys()].sort()).toEqual(['room0', 'room1', 'room2', 'room3'])
    for (const count of firsts.values()) expect(count).toBeGreaterThan(400)
    // The 5 other places go to the 20 full peers alike: expected 500 each (2000 x 5 / 20).
    for (let i = 0; i < 20; i++) expect(counts.get(`full${i}`)).toBeGreaterThan(400)
  })

  it('treats a candidate that says nothing about room (an older client) as having room', () => {
    const chosen = choosePeers([fullPeer('full'), peer('old')], { exclude: 'x', limit: 1, random: seeded(2) })
    expect(chosen).toEqual([peer('old')])
  })
})
