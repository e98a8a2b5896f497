import { describe, expect, it } from 'vitest'
import { isShoalError } from '../../core/errors.ts'
import { widgetSource } from '../../web/widget/widget-source.ts'

const ID = 'ab'.repeat(32)
const attributes = (values: Record<string, string>) => (name: string) => values[name] ?? null

function codeOf(values: Record<string, string>): string | undefined {
  try {
    widgetSource(attributes(values))
    return undefined
  } catch (err) {
    return isShoalError(err) ? err.code : 'not a ShoalError'
  }
}

describe('widgetSource', () => {
  it('reads a share link, a token and an upload limit', () => {
    const source = widgetSource(attributes({ link: `https://t.example/s/${ID}`, token: 'tok', 'upload-limit': '2MB/s' }))
    expect(source).toMatchObject({ trackerUrl: 'https://t.example', swarmId: ID, token: 'tok' })
    expect(source.limits.uploadLimiter).toBeDefined()
    expect(source.limits.downloadLimiter).toBeUndefined()
  })

  it('reads swarm + tracker instead of a link', () => {
    expect(widgetSource(attributes({ swarm: ID, tracker: 'http://127.0.0.1:8080/' }))).toMatchObject({ trackerUrl: 'http://127.0.0.1:8080', swarmId: ID })
  })

  it('refuses what it cannot use, naming the attribute', () => {
    expect(codeOf({})).toBe('BAD_INPUT')
    expect(codeOf({ swarm: ID })).toBe('BAD_INPUT')
    expect(codeOf({ swarm: 'nope', tracker: 'http://t.example' })).toBe('BAD_LINK')
    expect(codeOf({ link: 'https://t.example/files/1' })).toBe('BAD_LINK')
    expect(codeOf({ link: `https://t.example/s/${ID}`, 'upload-limit': 'fast' })).toBe('BAD_INPUT')
  })
})
