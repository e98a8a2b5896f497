import { describe, expect, it } from 'vitest'
import { type Message, FrameDecoder, MAX_BLOCK_FRAME, MAX_BLOCK_SIZE, MAX_FRAME_SIZE, encodeBlockInto, encodeMessage } from '../../core/wire.ts'

const swarmId = 'ab'.repeat(32)
const samples: Message[] = [
  { type: 'handshake', version: 1, swarmId, peerId: 'peer-123456' },
  { type: 'bitfield', bits: new Uint8Array([0xff, 0x80]) },
  { type: 'have', piece: 4_000_000_000 },
  { type: 'request', piece: 3, offset: 65536, length: 16384 },
  { type: 'block', piece: 7, offset: 0, data: new Uint8Array([1, 2, 3]) },
  { type: 'cancel', piece: 3, offset: 65536, length: 16384 },
  { type: 'reject', piece: 1, offset: 2, length: 3 },
  { type: 'goodbye' },
  { type: 'seed' },
]

function frame(type: number, payload: number[]): Uint8Array {
  const bytes = new Uint8Array(5 + payload.length)
  new DataView(bytes.buffer).setUint32(0, 1 + payload.length)
  bytes[4] = type
  bytes.set(payload, 5)
  return bytes
}

describe('wire protocol', () => {
  it.each(samples)('round-trips $type', (message) => {
    expect(new FrameDecoder().push(encodeMessage(message))).toEqual([message])
  })

  it('reassembles frames split and joined arbitrarily', () => {
    const all = samples.map(encodeMessage)
    const stream = new Uint8Array(all.reduce((n, f) => n + f.length, 0))
    let at = 0
    for (const f of all) {
      stream.set(f, at)
      at += f.length
    }
    const decoder = new FrameDecoder()
    const out: Message[] = []
    for (let i = 0; i < stream.length; i += 7) out.push(...decoder.push(stream.slice(i, i + 7)))
    expect(out).toEqual(samples)
    expect(decoder.buffered).toBe(0)
  })

  it.each([
    ['an unknown type', frame(99, [])],
    ['a short have', frame(2, [0, 0, 1])],
    ['a long request', frame(3, new Array(13).fill(0))],
    ['a short block', frame(4, [0, 0, 0, 1])],
    ['a goodbye with a payload', frame(7, [0])],
    ['a handshake with a bad peer id length', frame(0, [1, ...new Array(32).fill(0), 0])],
    ['a handshake whose peer id is not UTF-8', frame(0, [1, ...new Array(32).fill(0), 2, 0xff, 0xfe])],
    ['an empty frame', new Uint8Array([0, 0, 0, 0])],
  ])('rejects %s', (_label, bytes) => {
    expect(() => new FrameDecoder().push(bytes)).toThrow(expect.objectContaining({ code: 'BAD_MESSAGE' }))
  })

  it('rejects a frame length over the cap before buffering it', () => {
    const header = new Uint8Array(4)
    new DataView(header.buffer).setUint32(0, MAX_FRAME_SIZE + 1)
    expect(() => new FrameDecoder().push(header)).toThrow(expect.objectContaining({ code: 'BAD_MESSAGE' }))
  })

  it('rejects a block larger than the maximum block size', () => {
    const big = encodeMessage({ type: 'block', piece: 0, offset: 0, data: new Uint8Array(MAX_BLOCK_SIZE + 1) })
    expect(() => new FrameDecoder().push(big)).toThrow(expect.objectContaining({ code: 'BAD_MESSAGE' }))
  })

  it('refuses to encode a swarm id of the wrong length', () => {
    expect(() => encodeMessage({ type: 'handshake', version: 1, swarmId: 'ab', peerId: 'p' })).toThrow()
  })
})

describe('encodeBlockInto', () => {
  it('writes the same frame as encodeMessage into a reused buffer', () => {
    const scratch = new Uint8Array(MAX_BLOCK_FRAME)
    for (const size of [1, 1000, MAX_BLOCK_SIZE]) {
      const data = new Uint8Array(size).map((_, i) => i % 251)
      const frame = encodeBlockInto(scratch, 9, 4096, data)
      expect(frame).toEqual(encodeMessage({ type: 'block', piece: 9, offset: 4096, data }))
      expect(frame.buffer).toBe(scratch.buffer)
    }
  })
})
