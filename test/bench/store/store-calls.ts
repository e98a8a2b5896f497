/**
 * The contract between the benchmark (Node) and the StoreLab in the bench page: what each
 * call returns and the names it can call, kept apart from the lab so Node never loads browser
 * code.
 */

/** Bytes moved in `ms`, from the first operation's start to the last one's end. */
export interface TimedBytes {
  bytes: number
  pieces: number
  ms: number
}

export interface HashReceipt extends TimedBytes {
  pieceSize: number
  /** The manifest's id, for the benchmark to compare with Node's hash of the same file. */
  id: string
}

export interface StoreLabCalls {
  /** Random pieces held in memory, so generating them is not part of what write() times. */
  prepare(count: number, pieceSize: number): Promise<void>
  write(swarmId: string): Promise<TimedBytes>
  read(swarmId: string): Promise<TimedBytes>
  addFileInput(): Promise<void>
  hashPicked(): Promise<HashReceipt>
  release(): Promise<void>
}

export const STORE_LAB_METHODS = ['prepare', 'write', 'read', 'addFileInput', 'hashPicked', 'release'] as const satisfies readonly (keyof StoreLabCalls)[]

/** The `<input type=file>` the benchmark hands the file to (page.setInputFiles), as a user would pick it. */
export const FILE_INPUT_ID = 'store-bench-file'
