/** Where the e2e tests find the repository's pieces. */
import { fileURLToPath } from 'node:url'

export const REPO = fileURLToPath(new URL('../../', import.meta.url))
export const VITE_CONFIG = fileURLToPath(new URL('../../vite.config.ts', import.meta.url))
export const WEB_DIST = fileURLToPath(new URL('../../dist/web/', import.meta.url))
export const HARNESS_ROOT = fileURLToPath(new URL('./harness/', import.meta.url))
