#!/usr/bin/env node
// Writes oclif.manifest.json: every command's id, flags and help, so that a run imports only
// the command it runs instead of all of them (about a third of the CLI's start-up here). The
// same as `oclif manifest` from the oclif CLI, which would be a large dev dependency for this
// one step. Run by `npm run build:ts` after tsc; the manifest is a build output (.gitignore).
import {writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {Plugin} from '@oclif/core'

const root = fileURLToPath(new URL('..', import.meta.url))
const plugin = new Plugin({
  root,
  type: 'core',
  isRoot: true,
  ignoreManifest: true,
  errorOnManifestCreate: true,
  respectNoCacheDefault: true,
})
await plugin.load()
writeFileSync(new URL('../oclif.manifest.json', import.meta.url), JSON.stringify(plugin.manifest, null, 2) + '\n')
