// `node --import` this to record every module the process resolves, one URL a line, in the file
// named by IOB_IMPORTS_FILE: what a command loads, for tests that it loads only what it needs.
import {register} from 'node:module'

register('./record-imports-hooks.mjs', import.meta.url)
