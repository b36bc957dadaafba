#!/usr/bin/env node
// Writes schemas/profile.schema.json from the settings table (src/settings/table.ts, built into
// dist/). Run by `npm run build:ts` after tsc; the file is committed, and
// test/unit/settings.test.ts fails when it and the table drift.
import {writeFileSync} from 'node:fs'

import {profileSchemaText} from '../../dist/settings/profile-schema.js'

writeFileSync(new URL('../../schemas/profile.schema.json', import.meta.url), profileSchemaText())
