import { describe, expect, it } from 'vitest'
import { Bitfield } from '../../core/bitfield.ts'
import { systemClock } from '../../core/clock.ts'
import { Emitter } from '../../core/emitter.ts'
import { PeerSession } from '../../core/peer-session.ts'
import type { Transport, TransportEvents } from '../../core/transport.ts'
import { FrameDecoder } from '../../core/wire.ts'

/** Records what the session hands to the channel, one entry per send(). */
class RecordingTransport extends Emitter<TransportEvents> implements Transport {
  bufferedAmount = 0
  sends: Uint8Array[] = []
  send(frame: Uint8Array): void {
    this.sends.push(frame.slice())
  }
  close(): void {}
}

const swarmId = 'cd'.repeat(32)
const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('PeerSession', () => {
  it('sends the control frames of one turn as a single channel message, in order', async () => {
    const transport = new RecordingTransport()
    const session = new PeerSession(transport, { swarmId, localPeerId: 'local-peer', verified: new Bitfield(64), clock: systemClock })
    for (let i = 0; i < 10; i++) session.request({ piece: i, offset: 0, length: 1024 }, 5000)
    session.have(3)
    await tick()
    expect(transport.sends).toHaveLength(1)
    const types = new FrameDecoder().push(transport.sends[0]!).map((m) => m.type)
    expect(types).toEqual(['handshake', 'bitfield', ...new Array(10).fill('request'), 'have'])
  })

  it('flushes pending control frames before a block, keeping protocol order', async () => {
    const transport = new RecordingTransport()
    const session = new PeerSession(transport, { swarmId, localPeerId: 'local-peer', verified: Bitfield.full(4), clock: systemClock })
    session.have(1)
    session.sendBlock(0, 0, new Uint8Array(100))
    await tick()
    const decoded = transport.sends.flatMap((chunk) => new FrameDecoder().push(chunk).map((m) => m.type))
    expect(decoded).toEqual(['handshake', 'bitfield', 'have', 'block'])
    expect(transport.sends).toHaveLength(2)
  })
})
