import { describe, expect, it } from 'vitest'
import { downloadSwarmId, downloadUrl } from '../../web/download-route.ts'

describe('download route', () => {
  const id = 'ab'.repeat(32)

  it('round-trips a swarm id under the app base', () => {
    expect(downloadUrl('/', id)).toBe(`/download/${id}`)
    expect(downloadSwarmId('http://127.0.0.1:8080/', `http://127.0.0.1:8080${downloadUrl('/', id)}`)).toBe(id)
    expect(downloadSwarmId('https://portal.example/shoal/', `https://portal.example/shoal/download/${id}`)).toBe(id)
  })

  it('ignores other paths, origins and malformed ids', () => {
    const scope = 'http://127.0.0.1:8080/'
    for (const url of [`${scope}s/${id}`, `http://other.example/download/${id}`, `${scope}download/${id.toUpperCase()}`, `${scope}download/${id}/x`, `${scope}download/`]) {
      expect(downloadSwarmId(scope, url), url).toBeUndefined()
    }
  })
})
