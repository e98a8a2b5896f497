/**
 * A test-only page, built with the real vite.config.ts, that exposes web/ modules to
 * Playwright's page.evaluate. It also bundles simple-peer exactly as the app will, so the
 * Node shims are proven before the swarm engine is wired into the page.
 */
import '../../../web/shims.ts'
import SimplePeer from 'simple-peer'
import { IdbChunkStore } from '../../../web/idb-store.ts'
import { assembleFile, saveFile } from '../../../web/save.ts'
import { createView } from '../../../web/view.ts'

/** Connects two simple-peer instances inside this page and echoes one message through them. */
async function loopbackPeers(timeoutMs: number): Promise<{ message: string; candidates: string[] }> {
  const a = new SimplePeer({ initiator: true })
  const b = new SimplePeer()
  const candidates: string[] = []
  a.on('signal', (data) => {
    if (data.type === 'candidate') candidates.push(data.candidate.candidate)
    b.signal(data)
  })
  b.on('signal', (data) => a.signal(data))
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no data channel after ${timeoutMs} ms; candidates: ${candidates.join(' | ')}`)), timeoutMs)
      a.on('error', reject)
      b.on('error', reject)
      a.on('connect', () => a.send('ping'))
      b.on('data', (data: Uint8Array) => {
        clearTimeout(timer)
        resolve({ message: new TextDecoder().decode(data), candidates })
      })
    })
  } finally {
    a.destroy()
    b.destroy()
  }
}

export const harness = { IdbChunkStore, saveFile, assembleFile, createView, loopbackPeers }
export type Harness = typeof harness

;(globalThis as { shoalHarness?: Harness }).shoalHarness = harness
