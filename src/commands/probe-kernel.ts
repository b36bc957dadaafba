import {Flags} from '@oclif/core'

import {ReportingCommand} from '../base-command.js'
import {EnvironmentError, invalidValue} from '../errors.js'
import {outputFlags} from '../flags.js'
import type {ProbeDocument} from '../model/probe.js'
import {probeKernel} from '../native/addon.js'
import {probeDocument} from '../probe/document.js'
import {readContainerFacts} from '../probe/container.js'
import {evaluateProbe} from '../probe/evaluate.js'
import {unmetText} from '../probe/render.js'
import {checkRequirements, resolveRequirements} from '../probe/requirements.js'
import {parseDuration} from '../units.js'

export default class ProbeKernel extends ReportingCommand {
  static override summary = "What this kernel's io_uring can do, tested for real, and whether this tool's loop can run here."

  static override description = `Every answer comes from a real test on this kernel (a ring set up with each flag, IORING_REGISTER_PROBE, multishot poll, EXT_ARG wait, LINK_TIMEOUT); the kernel release only explains a result. When io_uring cannot be used at all, it names the cause (kernel.io_uring_disabled, kernel.io_uring_group, a seccomp filter, a kernel without io_uring, the memlock limit of kernels before 5.12) and the fix.

Exit status 3, after the whole report, when io_uring cannot be used on the probed kernel. --require makes it a CI pre-check: exit status 3 when a named need is not met here. Names: loop (what every bench run needs), each bench flag that needs more of the kernel than that, without its dashes (single-issuer, op-timeout, io-poll) and, where only some values of a flag do, as FLAG=VALUE, and io_uring setup flags (SINGLE_ISSUER), features (EXT_ARG), opcodes (READ_MULTISHOT) and register ops (REGISTER_PBUF_RING), case-insensitive, IORING_ prefixes accepted.

--input explains a raw probe captured elsewhere: by the static iouring-probe (native/build-*/iouring-probe) on a host without Node, or in a VM.`

  static override examples = [
    {description: 'Everything about this kernel:', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'CI pre-check: fail (exit 3) unless the single-issuer loop can run here:',
      command: '<%= config.bin %> <%= command.id %> --require single-issuer',
    },
    {
      description: 'One JSON document per host, for the fleet view (report merge *.probe.json):',
      command: '<%= config.bin %> <%= command.id %> --json > "$(hostname).probe.json"',
    },
    {
      description:
        "Node Feature Discovery labels for this node (the file goes to /etc/kubernetes/node-feature-discovery/features.d/), dropped by nfd-worker 3 hours after the probe unless a newer probe's file replaced them:",
      command: '<%= config.bin %> <%= command.id %> --format nfd --expires-in 3h --output iouring-bench',
    },
    {
      description: 'The report on the terminal and the document in a file, for CI:',
      command: '<%= config.bin %> <%= command.id %> --format json --output probe.json',
    },
    {
      description:
        'Explain a probe taken elsewhere: a probe-kernel --json document, or on a host without Node the output of the static iouring-probe (built from native/core with cmake):',
      command: '<%= config.bin %> <%= command.id %> --input "$(hostname).probe.json"',
    },
  ]

  static override baseFlags = outputFlags('probe')

  static override flags = {
    require: Flags.string({
      description: 'fail with exit status 3 unless each of these is met here (see the description for names)',
      multiple: true,
      delimiter: ',',
      helpValue: 'NAME',
    }),
    input: Flags.string({
      description:
        "explain this raw probe (iouring-probe's output, or a probe-kernel --json document; - for stdin) instead of probing this kernel",
      helpValue: 'FILE',
    }),
    // Read after parsing, as the user wrote it: a refusal names '3h', not its nanoseconds.
    'expires-in': Flags.string({
      helpValue: 'DURATION',
      description:
        "with --format nfd: the labels expire this long after the probe (NFD's # +expiry-time), so a node that stops probing loses them; probe again before then",
    }),
  }

  async run(): Promise<ProbeDocument> {
    const {flags} = await this.parse(ProbeKernel)
    const expiresIn = flags['expires-in']
    const validFor = expiresIn === undefined ? undefined : parseDuration(expiresIn, '--expires-in')
    if (expiresIn !== undefined && flags.format !== 'nfd') {
      throw invalidValue('--expires-in', expiresIn, "it dates NFD's feature file: add --format nfd")
    }
    // nfd-worker reads features.d once a minute by default: a shorter life makes labels flap.
    if (validFor !== undefined && validFor < 60e9) {
      throw invalidValue('--expires-in', expiresIn, 'labels need at least 1m: nfd-worker reads the file once a minute')
    }
    if (expiresIn !== undefined && flags.input !== undefined) {
      throw invalidValue('--expires-in', expiresIn, 'it counts from a probe taken here; a probe read with --input is of unknown age')
    }
    this.planOutput(flags, 'probe', validFor)
    // Names first: a typo fails at once, before anything is probed.
    const wanted = flags.require ? resolveRequirements(flags.require) : null
    // The schema validator (ajv) is loaded only for a file: probing here needs no validation.
    const raw = flags.input === undefined ? await probeKernel() : (await import('../probe/input.js')).readRawProbe(flags.input)
    // Probed here, it also says which container it ran in: a refusal then names the runtime's fix.
    const evaluation = evaluateProbe(raw, flags.input === undefined ? readContainerFacts(raw.kernel) : undefined)
    const requirements = wanted && checkRequirements(wanted, evaluation)
    const document = probeDocument(raw, evaluation, {toolVersion: this.config.version, file: flags.input ?? null, requirements})

    const unmet = requirements?.filter((requirement) => !requirement.met) ?? []
    // The exit status answers for the probed kernel, here or in --input: 3 when a need is unmet,
    // or when io_uring cannot be used there at all (whatever was required).
    const {usability, kernel} = document
    const failure = unmet.length
      ? `--require: not met on ${kernel.label}: ${unmetText(unmet)}`
      : usability.usable
        ? null
        : `io_uring cannot be used on ${kernel.label}: ${usability.cause?.summary ?? `io_uring_setup failed with ${usability.setup.error}`}`
    return this.finish(document, failure ? {status: 'failed', error: new EnvironmentError(failure)} : {status: 'ok'})
  }
}
