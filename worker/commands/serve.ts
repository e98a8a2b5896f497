import { startTrackerServer } from '../../signaling/server.ts'
import type { Reporter } from '../reporter.ts'
import { whenAborted } from '../termination.ts'

export interface ServeOptions {
  host: string
  port: number
  /** Makes every swarm private (join tokens signed with it). */
  authSecret?: string
}

export async function serve(options: ServeOptions, reporter: Reporter, signal: AbortSignal): Promise<void> {
  const server = await startTrackerServer({ host: options.host, port: options.port, authSecret: options.authSecret })
  const isPrivate = options.authSecret !== undefined
  reporter.event(
    'listening',
    { url: server.url, private: isPrivate },
    `Shoal tracker and web app listening on ${server.url}${isPrivate ? ' (private: every swarm needs a join token)' : ''}`,
  )
  await whenAborted(signal)
  await server.close()
  reporter.event('stopped', {}, 'Stopped.')
}
