/**
 * The Content-Disposition header that makes a response a download under the file's name
 * (RFC 6266). The real name travels in `filename*` (RFC 8187: UTF-8, percent-encoded); the
 * plain `filename` is an ASCII stand-in for clients that know only that form. A manifest's
 * name comes from whoever shared the file, so control characters (CR/LF would end the header)
 * are dropped, and quotes and backslashes never reach the quoted form.
 */

/** What is left when a name has nothing printable in it. */
const FALLBACK_NAME = 'download'

export function attachmentDisposition(name: string): string {
  // eslint-disable-next-line no-control-regex
  const printable = name.replace(/[\u0000-\u001f\u007f]/g, '') || FALLBACK_NAME
  const ascii = printable.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc8187(printable)}`
}

/** Percent-encodes all but RFC 8187's attr-char; encodeURIComponent alone leaves ' ( ) * as they are. */
function encodeRfc8187(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}
