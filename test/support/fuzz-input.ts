/**
 * What the tracker fuzz test (test/integration/fuzz.test.ts) sends: a seeded PRNG, junk values,
 * valid event bodies, the same made invalid one way at a time, and raw Socket.IO packets that no
 * client library would produce.
 */

const KiB = 1024

export const KNOWN_EVENTS = ['announce', 'leave', 'room', 'signal', 'manifest:publish', 'manifest:fetch'] as const
export type KnownEvent = (typeof KNOWN_EVENTS)[number]

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function prng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export class Dice {
  constructor(readonly next: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T
  }
  hex(chars: number): string {
    let s = ''
    for (let i = 0; i < chars; i++) s += '0123456789abcdef'[this.int(0, 15)]
    return s
  }
  peerId(): string {
    return `fz-${this.hex(12)}`
  }
}

// Keys that break naive code: prototype pollution, and the names of real fields.
const NASTY_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'swarm', 'peerId', 'data', 'then']
const NASTY_STRINGS = ['', ' ', '\u0000', '\ud800', '\uffff', '💥💥💥', '../../etc/passwd', '<script>', 'NaN', '{"a":1}', '%s%s%n']

/** Sets a key as an own, enumerable property: `obj['__proto__'] = x` would set the prototype instead. */
export function put(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true })
}

/** Any value Socket.IO can carry, small and shallow (deep and huge ones come separately). */
export function junk(d: Dice, depth = 0): unknown {
  switch (d.int(0, depth > 2 ? 5 : 8)) {
    case 0:
      return d.pick([0, -1, 1.5, -0, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, Number.NaN, Number.POSITIVE_INFINITY])
    case 1:
      return d.pick(NASTY_STRINGS)
    case 2:
      return d.hex(d.int(0, 80))
    case 3:
      return d.chance(0.5)
    case 4:
      return null
    case 5:
      return new Uint8Array(d.int(0, 64)).map(() => d.int(0, 255))
    case 6:
    case 7: {
      const obj: Record<string, unknown> = {}
      for (let i = d.int(0, 5); i > 0; i--) put(obj, d.chance(0.5) ? d.pick(NASTY_KEYS) : d.hex(4), junk(d, depth + 1))
      return obj
    }
    default:
      return Array.from({ length: d.int(0, 5) }, () => junk(d, depth + 1))
  }
}

export interface FuzzContext {
  honestSwarm: string
  honestPeers: string[]
  manifestId: string
  /** A few swarms the fuzzers share, so they meet each other too. */
  fuzzSwarms: string[]
}

export function validBody(d: Dice, event: KnownEvent, ctx: FuzzContext, peerId: string): Record<string, unknown> {
  const swarm = d.chance(0.3) ? ctx.honestSwarm : d.pick(ctx.fuzzSwarms)
  switch (event) {
    case 'announce':
      return { swarm, peerId, pieces: d.int(0, 100), complete: d.chance(0.5) }
    case 'leave':
      return { swarm }
    case 'room':
      return { swarm, full: d.chance(0.5) }
    case 'signal':
      return { swarm, to: d.chance(0.5) ? d.pick(ctx.honestPeers) : d.peerId(), data: { type: 'offer', sdp: `v=0 ${d.hex(16)}` } }
    case 'manifest:publish':
      // One piece for a file of two: well-formed JSON, not a valid manifest.
      return { manifest: JSON.stringify({ version: 1, name: d.hex(6), size: 16385 + d.int(0, 100), pieceSize: 16384, pieces: [d.hex(64)] }) }
    case 'manifest:fetch':
      return { id: d.chance(0.5) ? ctx.manifestId : d.hex(64) }
  }
}

/**
 * A valid body made invalid in one way the schema must catch: answered BAD_INPUT, except that a
 * publish whose manifest text is still a string fails a step later, as BAD_MANIFEST.
 */
export function brokenBody(d: Dice, body: Record<string, unknown>): unknown {
  // `data` (a signal's payload) may be any JSON: only its absence or size make it invalid.
  const keys = Object.keys(body).filter((k) => k !== 'data')
  const copy: Record<string, unknown> = { ...body }
  switch (d.int(0, 6)) {
    case 0:
      // `leave` has one field: without it the body is empty, still invalid.
      delete copy[d.pick(Object.keys(body))]
      return copy
    case 1:
      // An extra key, even __proto__ or constructor, is refused by the strict schemas.
      put(copy, d.chance(0.5) ? d.pick(NASTY_KEYS.filter((k) => !(k in body))) : `x${d.hex(4)}`, junk(d))
      return copy
    case 2:
      // A value of the wrong type, or out of range: no field takes any of these.
      copy[d.pick(keys)] = d.pick([null, -1.5, [], {}, 'x', [copy[d.pick(keys)]]])
      return copy
    case 3:
      // A long string, past every field's length cap but a manifest's (see 'large').
      copy[d.pick(keys)] = 'f'.repeat(d.int(65, 64 * KiB))
      return copy
    case 4:
      return d.pick([null, 'hello', 7, [body], true])
    case 5:
      return Array.from({ length: d.int(1000, 50_000) }, (_, i) => i)
    default: {
      // Prototype pollution through a JSON body: the keys arrive as own properties.
      const polluted = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') as Record<string, unknown>
      return Object.assign(polluted, copy)
    }
  }
}

/**
 * Socket.IO packets as raw text, below the client library, which would never produce these:
 * broken JSON, reserved event names, bogus ack ids and attachment counts, other namespaces,
 * nesting deeper than any stack, binary frames outside a binary event.
 */
export function rawPackets(d: Dice, ctx: FuzzContext): Array<string | Uint8Array> {
  const deep = d.int(20_000, 200_000)
  return [
    '2',
    '2[',
    '2{"a":1}',
    '2[]',
    '2[42]',
    '2["disconnect"]',
    '2["connect",{}]',
    '2["newListener","announce"]',
    '2["removeListener","announce"]',
    `2${'9'.repeat(30)}["announce",{}]`,
    '2-1["leave",{}]',
    '21.5["leave",{}]',
    `5${'9'.repeat(12)}-["announce",{"_placeholder":true,"num":0}]`,
    '51-["announce",{"_placeholder":true,"num":7}]',
    '3["not an ack"]',
    '399["late ack"]',
    '0/admin,',
    '1',
    '9',
    '4',
    `2["signal",{"swarm":"${ctx.honestSwarm}","to":"${ctx.honestPeers[0]}","data":${'['.repeat(deep)}${']'.repeat(deep)}}]`,
    `2["announce",${'{"a":'.repeat(deep / 10)}1${'}'.repeat(deep / 10)}]`,
    new Uint8Array([1, 2, 3, d.int(0, 255)]),
  ]
}
