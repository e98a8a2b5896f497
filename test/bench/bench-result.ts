/** What every benchmark hands the runner (test/bench/run.ts). */
export interface BenchResult {
  /** File stem under bench-results/, e.g. `link`. */
  name: string
  /** Section heading in bench-results/README.md. */
  title: string
  /** A markdown table, printed and written as is. */
  table: string
  /** Everything measured (all samples, the configuration), written to bench-results/<name>.json. */
  json: unknown
  /** Markdown shown under the table: method, caveats, findings. */
  notes?: string
}

export type Benchmark = () => Promise<BenchResult>
