import { describe, expect, it } from 'vitest'
import { attachmentDisposition } from '../../web/content-disposition.ts'

describe('attachmentDisposition', () => {
  it('names a plain file both ways', () => {
    expect(attachmentDisposition('build-artifact.bin')).toBe(`attachment; filename="build-artifact.bin"; filename*=UTF-8''build-artifact.bin`)
  })

  it('carries non-ASCII names in filename* and an ASCII stand-in in filename', () => {
    expect(attachmentDisposition('résumé 2024.pdf')).toBe(`attachment; filename="r_sum_ 2024.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%202024.pdf`)
  })

  it('never lets quotes, backslashes or line breaks out of their place', () => {
    const header = attachmentDisposition('a"b\\c\r\nSet-Cookie: x=1\'(*).txt')
    expect(header).not.toMatch(/[\r\n]/)
    expect(header).toBe(
      `attachment; filename="a_b_cSet-Cookie: x=1'(*).txt"; filename*=UTF-8''a%22b%5CcSet-Cookie%3A%20x%3D1%27%28%2A%29.txt`,
    )
  })

  it('falls back to a generic name when nothing printable is left', () => {
    expect(attachmentDisposition('\r\n')).toBe(`attachment; filename="download"; filename*=UTF-8''download`)
  })
})
