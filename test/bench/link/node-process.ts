/**
 * A Node peer of the link benchmark in a process of its own (forked by nodeEndpoint), as a
 * real `shoal seed` or `shoal get` is: the benchmark's own heap (Playwright, Vite) and the other
 * peer stay out of its event loop and its garbage collections. It runs a LinkLab on
 * @roamhq/wrtc with Node's native SHA-256, hashing blocks on arrival (as the CLI does) and answers calls over IPC.
 */
import { NODE_PIECE_HASHING } from '../../../worker/hash.ts'
import { loadWrtc } from '../../../worker/wrtc.ts'
import { type LabMethod, LinkLab } from './lab.ts'

export interface LabCall {
  id: number
  method: LabMethod
  args: unknown[]
}

export type LabReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string } | { signal: [key: string, data: unknown] }

const reply = (message: LabReply) => process.send!(message)

const lab = new LinkLab({ wrtc: loadWrtc(), ...NODE_PIECE_HASHING, onSignal: (key, data) => reply({ signal: [key, data] }) })

process.on('message', (call: LabCall) => {
  const method = lab[call.method] as (...args: unknown[]) => Promise<unknown>
  method.apply(lab, call.args).then(
    (value) => reply({ id: call.id, ok: true, value }),
    (err: unknown) => reply({ id: call.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  )
})
// The benchmark went away (or disposed of this peer): native WebRTC threads would keep us alive.
process.on('disconnect', () => process.exit(0))
