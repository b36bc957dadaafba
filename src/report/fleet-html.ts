// The fleet view as one self-contained HTML page, in the HTML report's style: the kernel table,
// what each kernel lacks, and each reason io_uring is refused with its fix.

import type {FleetDocument} from '../model/fleet.js'
import {escapeMarkup as e} from './escape.js'
import {kernelRows, LACKS_TITLE, sourcesText, summaryLine} from './fleet.js'
import {page, table} from './html.js'

/** One self-contained page, in the HTML report's style: the kernel table, what each kernel lacks, each reason with its fix. */
export function renderFleetHtml(fleet: FleetDocument): string {
  const {head, rows} = kernelRows(fleet)
  const lacks = fleet.kernels.filter((kernel) => kernel.lacks)
  const reasons = fleet.verdicts.flatMap((verdict) =>
    verdict.reasons.map(({reason, fix, sources}) => [verdict.verdict, String(sources.length), reason, fix ?? '', sourcesText(sources)]),
  )
  const body = [
    `<h1>${e(`iouring-bench ${summaryLine(fleet)}`)}</h1>`,
    table(head, rows, 'fleet-kernels'),
    lacks.length
      ? `<h2>${e(LACKS_TITLE)}</h2><ul class="lacks">${lacks.map((kernel) => `<li><b>${e(kernel.release)}</b>: ${kernel.lacks!.map((flag) => `<span class="flag">${e(flag)}</span>`).join(' ') || 'nothing'}</li>`).join('')}</ul>`
      : '',
    '<h2>Why</h2>',
    table(['verdict', 'hosts', 'reason', 'fix', 'from'], reasons, 'fleet-reasons'),
  ]
  return page(`iouring-bench ${summaryLine(fleet)}`, body.filter(Boolean).join('\n'), FLEET_STYLE)
}

const FLEET_STYLE = `
table.fleet-reasons td { text-align: left; white-space: normal; }
table.fleet-reasons th { text-align: left; }
ul.lacks li { margin: .2rem 0; }
ul.lacks .flag { white-space: nowrap; }
`
