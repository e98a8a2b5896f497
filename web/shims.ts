/**
 * Node globals that simple-peer and its dependencies (readable-stream, randombytes) read at
 * load time. This module must be the entry module's very first import: ES modules evaluate
 * in import order, so anything imported earlier would run before these exist and the page
 * would throw "process is not defined". `global` itself is mapped by vite.config.ts.
 */
import process from 'process'
import { Buffer } from 'buffer'

const scope = globalThis as { process?: unknown; Buffer?: unknown }
scope.process ??= process
scope.Buffer ??= Buffer
