/** Markdown table formatting for benchmark reports: padded so it also reads well in a terminal. */
export type Align = 'left' | 'right'

export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => (r[i] ?? '').length)))
  const cell = (text: string, i: number) => ((align[i] ?? 'left') === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!))
  const line = (cells: readonly string[]) => `| ${widths.map((_, i) => cell(cells[i] ?? '', i)).join(' | ')} |`
  const rule = `| ${widths.map((w, i) => ((align[i] ?? 'left') === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`
  return [line(headers), rule, ...rows.map(line)].join('\n')
}
