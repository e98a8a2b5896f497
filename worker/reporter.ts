/**
 * What the CLI tells its user: one JSON object per line with --json (for scripts), otherwise
 * plain lines plus a live progress line on stderr when stderr is a terminal. Not a terminal
 * (a log file, a pipe, CI): the plain lines only, with no escape codes.
 */
import cliProgress from 'cli-progress'
import { ShoalError } from '../core/errors.ts'
import { type ProgressUpdate, type SeedingUpdate, progressLine, seedingLine } from './progress-line.ts'

export type { ProgressUpdate, SeedingUpdate } from './progress-line.ts'

export interface Reporter {
  /** A milestone. JSON mode prints `{"event":name,...fields}`; human mode prints `text`. */
  event(name: string, fields: Record<string, unknown>, text?: string): void
  /** Hashing, checking or downloading; call it as often as convenient, output is throttled. */
  progress(update: ProgressUpdate): void
  /** While seeding; as often as convenient. */
  seeding(update: SeedingUpdate): void
  /** Ends the live line (it stays on screen as last drawn). */
  endProgress(): void
  error(err: unknown): void
}

/** A stream the reporter writes to; `isTTY` and `columns` as on a real terminal's stream. */
export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number }

export interface ReporterOptions {
  json: boolean
  stdout?: OutputStream
  stderr?: OutputStream
  /** Milliseconds; for the JSON throttle. */
  now?: () => number
}

/** JSON progress lines at most this often. */
const JSON_PROGRESS_INTERVAL_MS = 1000
/** Redraws of the live line at most this often. */
const LIVE_FPS = 8

export function createReporter(options: ReporterOptions): Reporter {
  const stdout = options.stdout ?? process.stdout
  const stderr = options.stderr ?? process.stderr
  return options.json ? new JsonReporter(stdout, options.now ?? Date.now) : new HumanReporter(stdout, stderr)
}

class JsonReporter implements Reporter {
  #lastProgressAt = -Infinity
  #lastSeedingAt = -Infinity
  #lastSeeding = ''

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly now: () => number,
  ) {}

  event(name: string, fields: Record<string, unknown>): void {
    this.out.write(JSON.stringify({ event: name, ...fields }) + '\n')
  }

  progress(update: ProgressUpdate): void {
    const now = this.now()
    if (now - this.#lastProgressAt < JSON_PROGRESS_INTERVAL_MS && update.done < update.total) return
    this.#lastProgressAt = now
    this.event('progress', { ...update })
  }

  /** Throttled like progress, and silent while nothing changes: an idle seeder prints nothing. */
  seeding(update: SeedingUpdate): void {
    const now = this.now()
    const key = `${update.uploaded}/${update.peers}`
    if (key === this.#lastSeeding || now - this.#lastSeedingAt < JSON_PROGRESS_INTERVAL_MS) return
    this.#lastSeedingAt = now
    this.#lastSeeding = key
    this.event('seeding-progress', { ...update })
  }

  endProgress(): void {}

  error(err: unknown): void {
    const { code, message } = describe(err)
    this.event('error', { code, message })
  }
}

/** The live line is drawn by cli-progress (redraw throttling, cursor, no wrapping); its text comes from progress-line.ts. */
class HumanReporter implements Reporter {
  #bar: cliProgress.SingleBar | undefined
  /** What the live line shows now: a progress label, or `seeding`. */
  #kind = ''

  constructor(
    private readonly out: OutputStream,
    private readonly err: OutputStream,
  ) {}

  event(_name: string, _fields: Record<string, unknown>, text?: string): void {
    if (text === undefined) return
    // The live line ends above the message; the next update starts a new one below it.
    this.endProgress()
    this.out.write(text + '\n')
  }

  progress(update: ProgressUpdate): void {
    this.#draw(update.label, (width) => progressLine(update, width))
  }

  seeding(update: SeedingUpdate): void {
    this.#draw('seeding', (width) => seedingLine(update, width))
  }

  endProgress(): void {
    this.#bar?.stop()
    this.#bar = undefined
    this.#kind = ''
  }

  error(err: unknown): void {
    this.endProgress()
    this.err.write(`shoal: ${describe(err).message}\n`)
  }

  #draw(kind: string, render: (width: number) => string): void {
    if (this.err.isTTY !== true) return
    if (this.#bar && this.#kind === kind) {
      this.#bar.update({ render })
      return
    }
    this.endProgress()
    this.#kind = kind
    this.#bar = new cliProgress.SingleBar({
      stream: this.err,
      format: (_options, params, payload: { render: (width: number) => string }) => payload.render(params.maxWidth),
      hideCursor: true,
      fps: LIVE_FPS,
    })
    this.#bar.start(1, 0, { render })
  }
}

function describe(err: unknown): { code: string; message: string } {
  if (err instanceof ShoalError) return { code: err.code, message: err.message }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) }
}
