/** `20ms`, `1.5s` or a bare number of milliseconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/i.exec(text)
  if (!match) throw new Error(`not a duration: "${text}" (examples: 20ms, 1.5s)`)
  return Number(match[1]) * (match[2]?.toLowerCase() === 's' ? 1000 : 1)
}
