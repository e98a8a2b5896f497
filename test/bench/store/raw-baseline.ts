/**
 * The yardstick of `browser-store`: the raw data channel rate Node → Chromium, the path a page
 * downloading from `shoal seed` receives on, measured like `link`'s raw mode (a LinkLab in a
 * Node process sends into the RTCDataChannel, the bench page times what arrives).
 */
import type { Browser } from '@playwright/test'
import { MAX_BLOCK_SIZE } from '../../../core/wire.ts'
import { connect } from '../link/connect.ts'
import { nodeEndpoint, pageEndpoint } from '../link/endpoint.ts'
import type { RawSendOptions } from '../link/lab.ts'

const MIB = 1024 * 1024

/** As in `link`: block-sized messages, bufferedAmount capped at 8 MiB. */
export const RAW: RawSendOptions = { messageSize: MAX_BLOCK_SIZE, maxBuffered: 8 * MIB, pollMs: 1 }

export interface RawBaseline {
  /** One sample over a fresh connection named `key`: bytes timed at the receiver, first message to last. */
  sample(key: string): Promise<{ bytes: number; ms: number }>
  dispose(): Promise<void>
}

export async function rawBaseline(browser: Browser, pageUrl: string, size: number): Promise<RawBaseline> {
  const sender = await nodeEndpoint('node sender')
  try {
    const receiver = await pageEndpoint(browser, pageUrl, 'chromium receiver')
    await sender.prepare(size, MIB)
    return {
      async sample(key) {
        await connect(sender, receiver, key)
        try {
          await receiver.rawExpect(key, size)
          await sender.rawSend(key, RAW)
          const receipt = await receiver.rawReceived(key)
          if (receipt.bytes !== size) throw new Error(`raw: received ${receipt.bytes} bytes, sent ${size}`)
          return { bytes: receipt.timedBytes, ms: receipt.ms }
        } finally {
          await sender.close(key)
          await receiver.close(key)
        }
      },
      async dispose() {
        await receiver.dispose()
        await sender.dispose()
      },
    }
  } catch (err) {
    await sender.dispose()
    throw err
  }
}
