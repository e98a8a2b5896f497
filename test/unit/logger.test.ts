import { describe, expect, it } from 'vitest'
import { isShoalError } from '../../core/errors.ts'
import { createLogger, parseLogLevel } from '../../signaling/logger.ts'

describe('log levels', () => {
  it('accepts pino\'s levels in any case and refuses anything else as BAD_INPUT', () => {
    expect(parseLogLevel('debug')).toBe('debug')
    expect(parseLogLevel(' WARN ')).toBe('warn')
    expect(parseLogLevel('silent')).toBe('silent')
    for (const bad of ['', 'verbose', '10']) {
      let error: unknown
      try {
        parseLogLevel(bad, '--log-level')
      } catch (err) {
        error = err
      }
      expect(isShoalError(error, 'BAD_INPUT'), bad).toBe(true)
      expect((error as Error).message).toContain('--log-level')
    }
  })

  it('writes JSON lines with the level by name, and nothing below the level', () => {
    const lines: string[] = []
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } })
    logger.debug('hidden')
    logger.warn({ reason: 'BAD_INPUT' }, 'refused')
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', reason: 'BAD_INPUT', msg: 'refused', time: expect.any(String) })
  })
})
