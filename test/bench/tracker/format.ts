/** Number formatting shared by the tracker report's tables and notes. */

export const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : '—')
export const kb = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v.toFixed(1) : '—')
export const int = (v: number) => Math.round(v).toLocaleString('en-US')
export const pct = (share: number) => `${Math.round(share * 100)}%`
export const mb = (bytes: number) => (bytes / 1e6).toFixed(0)
