import { describe, expect, it } from 'vitest'
import { Bitfield } from '../../core/bitfield.ts'
import { DistinctFirstPolicy } from '../../core/distinct-first.ts'

describe('DistinctFirstPolicy', () => {
  it('refuses a piece already sent while the asker lacks one never sent', () => {
    const policy = new DistinctFirstPolicy(4)
    const a = {}
    const b = {}
    expect(policy.admit(a, new Bitfield(4), 0)).toBe(true)
    expect(policy.admit(b, new Bitfield(4), 0)).toBe(false)
    expect(policy.admit(b, new Bitfield(4), 1)).toBe(true)
  })

  it('keeps admitting the rest of a piece already admitted to that peer', () => {
    const policy = new DistinctFirstPolicy(2)
    const a = {}
    expect(policy.admit(a, new Bitfield(2), 1)).toBe(true)
    expect(policy.admit(a, new Bitfield(2), 1)).toBe(true)
    expect(policy.sendCount(1)).toBe(1)
  })

  it('ignores pieces the asker already holds when deciding', () => {
    const policy = new DistinctFirstPolicy(3)
    policy.admit({}, new Bitfield(3), 0)
    // This peer holds 1 and 2 (from others), so piece 0 is the least-sent piece it lacks.
    const holder = new Bitfield(3)
    holder.set(1)
    holder.set(2)
    expect(policy.admit({}, holder, 0)).toBe(true)
  })

  it('never starves a peer: some piece it lacks is always admitted', () => {
    const policy = new DistinctFirstPolicy(16)
    const peers = Array.from({ length: 5 }, () => ({ key: {}, has: new Bitfield(16) }))
    for (let round = 0; round < 16; round++) {
      for (const peer of peers) {
        if (peer.has.complete) continue
        const admitted = [...Array(16).keys()].filter((p) => !peer.has.has(p)).find((p) => policy.admit(peer.key, peer.has, p))
        expect(admitted).toBeDefined()
        peer.has.set(admitted!)
      }
    }
    // Every piece went out before any went out a second time... and at most 5 times each.
    for (let p = 0; p < 16; p++) expect(policy.sendCount(p)).toBe(5)
  })
})
