import { describe, expect, it } from 'vitest'
import { ShoalError } from '../../core/errors.ts'
import { ioError } from '../../web/idb-db.ts'

describe('ioError', () => {
  it('tells the user that storage is full on a quota error', () => {
    const err = ioError('could not store piece 3', new DOMException('quota', 'QuotaExceededError'))
    expect(err).toBeInstanceOf(ShoalError)
    expect(err.code).toBe('STORAGE_FULL')
    expect(err.message).toMatch(/storage is full/)
    expect(err.cause).toBeInstanceOf(DOMException)
  })

  it('says what failed for any other error', () => {
    const err = ioError('could not store piece 3', new DOMException('gone', 'UnknownError'))
    expect(err.message).toBe('Browser storage failed: could not store piece 3 (gone).')
  })

  it('passes a ShoalError through unchanged', () => {
    const original = new ShoalError('NOT_FOUND', 'piece 1 is not stored')
    expect(ioError('reading', original)).toBe(original)
  })
})
