// The resolve hook behind record-imports.mjs (module hooks run on a thread of their own).
import {appendFileSync} from 'node:fs'

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context)
  appendFileSync(process.env.IOB_IMPORTS_FILE, `${resolved.url}\n`)
  return resolved
}
