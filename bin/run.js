#!/usr/bin/env node
// Signals are handled before oclif and the commands load (that takes a while), so that one that
// comes during start-up also ends in one line and its exit status (src/interrupt.ts).
import {installInterruptHandling} from '../dist/interrupt.js'

installInterruptHandling()
const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
