import { startTrackerServer } from '../../signaling/server.ts'
import type { Reporter } from '../reporter.ts'
import { whenAborted } from '../termination.ts'

export interface ServeOptions {
  host: string
  port: number
}

export async function serve(options: ServeOptions, reporter: Reporter, signal: AbortSignal): Promise<void> {
  const server = await startTrackerServer({ host: options.host, port: options.port })
  reporter.event('listening', { url: server.url }, `Shoal tracker and web app listening on ${server.url}`)
  await whenAborted(signal)
  await server.close()
  reporter.event('stopped', {}, 'Stopped.')
}
