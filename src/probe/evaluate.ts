// The explanation layer: raw facts from one kernel (a real test each) turned into what a user
// asks: can io_uring be used here, and if not why and what to do; which setup flags, features,
// opcodes and register ops this kernel has, each with the release that brought it; what the
// behaviour tests saw; and a verdict against this tool's loop. Every answer comes from a probe
// result; the kernel release only ever explains one.

import {MAX_RING_ENTRIES} from '../bench/spec.js'
import type {RawProbe, RawSetupTrial} from '../model/native.js'
import type {
  Assessment,
  BehaviourId,
  BehaviourRow,
  ContainerFacts,
  KernelIdentity,
  NamedRow,
  NamedSet,
  ProbeEvaluation,
  RingSizeRow,
  SetupFlagRow,
  Usability,
  ProbeVerdict,
} from '../model/probe.js'
import type {OpName} from '../model/workload.js'
import {type FlagNeed, flagNeeds} from '../settings/needs.js'
import {causeOfRefusal, explainSetupRefusal, flagMask, flagNames, type RefusalContext} from './causes.js'
import {bitsOf, FEATURES, milestone, nameOf, OPCODES, REGISTER_OPS, type Section, sectionOf, SETUP_FLAGS} from './kernel-table.js'
import {identifyKernel, newerThanKernel, olderThan} from './kernel.js'

const TRIAL_ENTRIES = 8
const SINGLE_ISSUER_RING = flagMask('SINGLE_ISSUER', 'DEFER_TASKRUN')

const BEHAVIOUR_TITLES: Record<BehaviourId, string> = {
  multishotPoll: 'multishot POLL_ADD on an eventfd',
  multishotPollSingleIssuer: 'multishot POLL_ADD on a SINGLE_ISSUER|DEFER_TASKRUN ring',
  extArgWait: 'EXT_ARG bounded wait',
  linkTimeout: 'LINK_TIMEOUT firing',
  iopollPollAdd: 'POLL_ADD on an IOPOLL ring',
}

/** The opcodes each `bench --op` issues (a new op must say what it needs here); a mix needs its parts'. */
const OP_OPCODES = {
  nop: ['NOP'],
  timer: ['TIMEOUT'],
  'file-read': ['READ'],
  'file-write': ['WRITE', 'WRITEV', 'FSYNC'],
  socket: ['SEND', 'RECV'],
  stall: ['RECV'],
} as const satisfies Record<Exclude<OpName, 'mix'>, readonly string[]>

/** What the raw facts mean; `container`, read when probing here, names the runtime a refusal came from. */
export function evaluateProbe(raw: RawProbe, container?: ContainerFacts): ProbeEvaluation {
  const kernel = identifyKernel(raw.kernel)
  const context: RefusalContext = {kernel, environment: raw.environment, registerAnswered: registerAnswered(raw), container}
  const facts = new Facts(raw, context, usabilityOf(raw, context))
  const sections = {
    setupFlags: facts.setupFlags(),
    ringSizes: facts.ringSizes(),
    features: facts.features(),
    opcodes: facts.opcodes(),
    registerOps: facts.registerOps(),
    behaviour: facts.behaviour(),
  }
  return {
    kernel,
    ...(container ? {container} : {}),
    usability: facts.usability,
    verdict: facts.verdict({kernel, ...sections}),
    ...sections,
  }
}

/** What a kernel's features are judged from: the probed sections and the release. */
type KernelFacts = Pick<ProbeEvaluation, 'kernel' | 'setupFlags' | 'features' | 'opcodes' | 'registerOps'>

/** Whether the kernel has a name of one section of src/probe/kernel-table.json, in that section's words. */
export function assessKernelName(facts: KernelFacts, section: Section, name: string): Assessment {
  const {kernel} = facts
  switch (section.name) {
    case 'setupFlags':
      return assessSetupFlag(facts.setupFlags, name)
    case 'features':
      return assessNamed(facts.features, name, kernel, {yes: 'present', no: 'absent'})
    case 'opcodes':
      return assessNamed(facts.opcodes, name, kernel, {yes: 'supported', no: 'not supported'})
    case 'registerOps':
      return assessNamed(facts.registerOps, name, kernel, {yes: 'known to the kernel', no: 'unknown to the kernel'})
  }
}

/**
 * Whether the kernel has every feature a flag needs (the settings table's `needs`); when not, the
 * first one it lacks, with the release that brought it: "needs IORING_OP_FUTEX_WAIT (Linux 6.7);
 * this kernel is 5.10.262 (Debian)".
 */
export function assessNeed(need: FlagNeed, facts: KernelFacts): Assessment {
  const {kernel} = facts
  const names: string[] = []
  for (const name of need.features) {
    const section = sectionOf(name)
    const entry = section?.byName(name)
    if (!section || !entry) throw new Error(`${need.flag} needs ${name}, which src/probe/kernel-table.json does not name`)
    const constant = `${section.prefix}${name}`
    const assessment = assessKernelName(facts, section, name)
    if (!assessment.met) {
      const needs = `needs ${constant} (Linux ${entry.firstKernel})`
      // A kernel as new as the feature that lacks it all the same: its probe says why.
      return {
        met: false,
        reason:
          olderThan(kernel, entry.firstKernel) === false
            ? `${needs}, which this kernel, ${kernel.label}, does not offer: ${assessment.reason}`
            : `${needs}; this kernel is ${kernel.label}`,
      }
    }
    names.push(constant)
  }
  return {met: true, reason: `this kernel has ${names.join(' and ')}`}
}

/** Whether a named feature, opcode or register op is there, with the release that brought it. */
function assessNamed(set: NamedSet, name: string, kernel: KernelIdentity, words: {yes: string; no: string}): Assessment {
  if (set.unavailable) return {met: false, reason: set.unavailable}
  const row = set.rows.find((candidate) => candidate.name === name)
  if (row?.has) return {met: true, reason: words.yes}
  if (!row?.firstKernel) return {met: false, reason: words.no}
  const release = newerThanKernel([{name: row.name, firstKernel: row.firstKernel}], kernel)
  return {
    met: false,
    reason: release
      ? `${words.no}: ${release}`
      : `${words.no}, although ${row.name} appeared in Linux ${row.firstKernel} and this is ${kernel.label}`,
  }
}

/** Whether a setup flag was accepted on a real ring. */
function assessSetupFlag(rows: SetupFlagRow[], name: string): Assessment {
  const row = rows.find((candidate) => candidate.name === name)
  if (!row || row.status === 'not tried') return {met: false, reason: row?.explanation ?? 'not tried by this probe'}
  const as = row.triedAs ? ` as ${row.triedAs}` : ''
  return row.status === 'accepted'
    ? {met: true, reason: `accepted${as}`}
    : {met: false, reason: `refused${as} (${row.error}): ${row.explanation}`}
}

/** io_uring_register answered IORING_REGISTER_QUERY, even with an error: the syscalls exist. */
function registerAnswered(raw: RawProbe): boolean | null {
  if (raw.query.ok) return true
  if (raw.query.error === 'ENOSYS') return false
  return raw.query.error === 'EPERM' ? null : true
}

function usabilityOf(raw: RawProbe, context: RefusalContext): Usability {
  const {setup, environment} = raw
  const notes: string[] = []
  if (environment.ioUringDisabled === 1 && setup.ok) {
    const why = environment.capSysAdmin ? 'it has CAP_SYS_ADMIN' : `it is in group ${environment.ioUringGroup} (kernel.io_uring_group)`
    notes.push(`kernel.io_uring_disabled=1: this process may use io_uring because ${why}; other processes may not`)
  }
  if (!setup.ok && environment.seccompMode === 2 && environment.ioUringDisabled === 2) {
    notes.push('a seccomp filter is installed as well; it may refuse io_uring too')
  }
  if (!setup.ok && raw.query.ok) {
    notes.push('IORING_REGISTER_QUERY answered, so this kernel has io_uring: something refuses io_uring_setup for this process')
  }
  return {
    usable: setup.ok,
    setup: {ok: setup.ok, errno: setup.errno, error: setup.error},
    cause: setup.ok ? null : causeOfRefusal(setup.error ?? 'unknown', context),
    notes,
  }
}

/** The raw facts, and the questions each section asks of them. */
class Facts {
  constructor(
    private readonly raw: RawProbe,
    private readonly context: RefusalContext,
    readonly usability: Usability,
  ) {}

  private get kernel(): KernelIdentity {
    return this.context.kernel
  }

  /** For whatever needed a ring when there was none. */
  private get untested(): string {
    return `not tested: io_uring_setup refused (${this.usability.setup.error})`
  }

  /** The 8-entry trial with exactly these flags. */
  private trial(flags: number): RawSetupTrial | undefined {
    return this.raw.setupTrials.find((trial) => trial.flags === flags && trial.entries === TRIAL_ENTRIES)
  }

  /** The trial that decides a flag: the fewest bits that include it (SQ_AFF goes with SQPOLL). */
  private decidingTrial(bit: number): RawSetupTrial | undefined {
    return this.raw.setupTrials
      .filter((trial) => trial.entries === TRIAL_ENTRIES && bitsOf(trial.flags).includes(bit))
      .sort((a, b) => bitsOf(a.flags).length - bitsOf(b.flags).length)[0]
  }

  private refusal(trial: {flags: number; entries: number; error: string | null}): string {
    return explainSetupRefusal({flags: trial.flags, entries: trial.entries, error: trial.error ?? 'unknown'}, this.context)
  }

  setupFlags(): SetupFlagRow[] {
    const listed = this.raw.query.ok ? (this.raw.query.ringSetupFlags ?? null) : null
    const bits = new Set([...SETUP_FLAGS.entries.map((entry) => entry.number), ...(listed === null ? [] : bitsOf(listed))])
    return [...bits]
      .sort((a, b) => a - b)
      .map((bit): SetupFlagRow => {
        const trial = this.decidingTrial(bit)
        let explanation: string | null = null
        if (!trial) explanation = this.usability.usable ? 'not tried by this probe' : this.untested
        else if (!trial.ok) explanation = this.refusal(trial)
        return {
          bit,
          name: nameOf(SETUP_FLAGS, bit),
          firstKernel: SETUP_FLAGS.byNumber(bit)?.firstKernel ?? null,
          status: trial ? (trial.ok ? 'accepted' : 'refused') : 'not tried',
          triedAs: trial && trial.flags !== 2 ** bit ? flagNames(trial.flags) : null,
          errno: trial?.errno ?? null,
          error: trial?.error ?? null,
          explanation,
          listedByKernel: listed === null ? null : bitsOf(listed).includes(bit),
        }
      })
  }

  ringSizes(): RingSizeRow[] {
    const clampedCq = flagMask('CQSIZE', 'CLAMP')
    return this.raw.setupTrials
      .filter((trial) => (trial.flags === 0 && trial.entries !== TRIAL_ENTRIES) || trial.flags === clampedCq)
      .map((trial) => {
        const sized = trial.flags === 0
        let explanation = trial.ok ? null : this.refusal(trial)
        if (!sized && trial.granted) explanation = `clamped to ${trial.granted.cqEntries}`
        return {
          what: sized ? `a ring of ${trial.entries} SQ entries` : `a CQ of ${trial.cqEntries} entries with CQSIZE|CLAMP`,
          flags: trial.flagNames,
          entries: trial.entries,
          cqEntries: trial.cqEntries,
          ok: trial.ok,
          errno: trial.errno,
          error: trial.error,
          granted: trial.granted,
          explanation,
        }
      })
  }

  features(): NamedSet {
    const {features} = this.raw
    if (!features) return unavailable(FEATURES, this.untested)
    return {source: 'io_uring_params.features', unavailable: null, rows: namedRows(FEATURES, bitsOf(features.mask))}
  }

  opcodes(): NamedSet {
    const {opcodes} = this.raw
    if (!opcodes) return unavailable(OPCODES, this.untested)
    if (!opcodes.ok) return unavailable(OPCODES, `IORING_REGISTER_PROBE refused (${opcodes.error})`)
    return {
      source: 'IORING_REGISTER_PROBE',
      unavailable: null,
      rows: namedRows(
        OPCODES,
        opcodes.supported.map((op) => op.op),
      ),
    }
  }

  registerOps(): NamedSet & {count: number | null} {
    const {byQuery, byRestrictions, restrictions} = this.raw.registerOps
    const count = byQuery ?? byRestrictions
    if (count === null) {
      const why =
        restrictions && !restrictions.ok ? `the IORING_REGISTER_RESTRICTIONS search failed (${restrictions.error})` : this.untested
      return {count, ...unavailable(REGISTER_OPS, why)}
    }
    const source = byQuery === null ? 'IORING_REGISTER_RESTRICTIONS search' : 'IORING_REGISTER_QUERY'
    return {count, source, unavailable: null, rows: namedRows(REGISTER_OPS, [...Array(count).keys()])}
  }

  behaviour(): BehaviourRow[] {
    return (Object.keys(BEHAVIOUR_TITLES) as BehaviourId[]).map((id) => {
      const test = this.raw.behaviour[id]
      return {
        id,
        title: BEHAVIOUR_TITLES[id],
        ran: Boolean(test?.ring.ok),
        works: Boolean(test?.works),
        detail: test?.detail ?? '',
        explanation: test?.works ? null : this.behaviourFailure(id),
      }
    })
  }

  /** Why a behaviour test did not work: its ring was refused, or what it saw, and since when. */
  private behaviourFailure(id: BehaviourId): string {
    const test = this.raw.behaviour[id]
    if (!test) return this.untested
    if (!test.ring.ok) {
      return `its ${test.ringFlagNames} ring was refused (${test.ring.error}): ${this.refusal({flags: test.ringFlags, entries: TRIAL_ENTRIES, error: test.ring.error})}`
    }
    if (id === 'iopollPollAdd') {
      // Refused on every kernel probed so far.
      const refusal = test.events.find((event) => event.resultName !== null)?.resultName
      return refusal ? `an IOPOLL ring refuses POLL_ADD (${refusal}): it takes only polled read/write ops` : test.detail
    }
    const since = BEHAVIOUR_SINCE[id]()
    const release = newerThanKernel([since], this.kernel)
    return release ? `${test.detail}; ${release}` : test.detail
  }

  private works(id: BehaviourId): boolean {
    return Boolean(this.raw.behaviour[id]?.works)
  }

  /** Met when every opcode is; otherwise the first one missing says why. */
  private allOpcodes(opcodes: NamedSet, needed: readonly string[]): Assessment {
    const each = needed.map((opcode) =>
      assessNamed(opcodes, opcode, this.kernel, {yes: `${opcode} is supported`, no: `${opcode} is not supported`}),
    )
    return (
      each.find((assessment) => !assessment.met) ?? {
        met: true,
        reason: `${needed.join(', ')} ${needed.length > 1 ? 'are' : 'is'} supported`,
      }
    )
  }

  private failed(id: BehaviourId): Assessment {
    return {met: false, reason: `${BEHAVIOUR_TITLES[id]} failed: ${this.behaviourFailure(id)}`}
  }

  private notUsable(): Assessment {
    return {met: false, reason: `io_uring cannot be used here: ${this.usability.cause?.summary}`}
  }

  verdict(facts: KernelFacts): ProbeVerdict {
    const loop = this.loopBaseline()
    const singleIssuer = this.singleIssuer()
    // Where a behaviour test tells more than the features a flag needs, its assessment stands for them.
    const tested: Record<string, Assessment> = {
      // The behaviour test ran on a SINGLE_ISSUER|DEFER_TASKRUN ring.
      '--defer-taskrun': singleIssuer,
      '--io-poll': this.ioPoll(),
      '--op-timeout': this.works('linkTimeout')
        ? {met: true, reason: 'a linked timeout fires and cancels its op'}
        : this.failed('linkTimeout'),
    }
    const own: Array<[string, Assessment]> = [
      ...flagNeeds().map((need): [string, Assessment] => [need.flag, tested[need.flag] ?? assessNeed(need, facts)]),
      ...Object.entries(OP_OPCODES).map(([op, needed]): [string, Assessment] => [`--op ${op}`, this.allOpcodes(facts.opcodes, needed)]),
      [`--ring-size ${MAX_RING_ENTRIES}`, this.largestRing()],
    ]
    const benchFlags = own.map(([flag, assessment]) => {
      // Without a ring nothing was tested: the reason is the one that stops everything.
      if (!this.usability.usable) return {flag, works: false, reason: loop.reason}
      const reason = assessment.met && !loop.met ? `the loop itself cannot run here: ${loop.reason}` : assessment.reason
      return {flag, works: loop.met && assessment.met, reason}
    })
    return {loop, singleIssuer, benchFlags}
  }

  private loopBaseline(): Assessment {
    if (!this.usability.usable) return this.notUsable()
    const failures: string[] = []
    if (!this.works('multishotPoll')) failures.push(this.failed('multishotPoll').reason)
    if (!this.raw.features?.names.includes('EXT_ARG')) {
      const release = newerThanKernel([BEHAVIOUR_SINCE.extArgWait()], this.kernel) ?? `this is ${this.kernel.label}`
      failures.push(`the kernel lacks IORING_FEAT_EXT_ARG, which the loop's bounded waits need; ${release}`)
    } else if (!this.works('extArgWait')) {
      failures.push(this.failed('extArgWait').reason)
    }
    if (failures.length) return {met: false, reason: failures.join('; ')}
    const multishot = milestone('multishot_poll')
    const backport = olderThan(this.kernel, multishot.firstKernel)
      ? ` (multishot POLL_ADD appeared in Linux ${multishot.firstKernel}; this ${this.kernel.label} has it all the same, a backport)`
      : ''
    return {met: true, reason: `multishot POLL_ADD on an eventfd wakes the loop and the EXT_ARG bounded wait works${backport}`}
  }

  private singleIssuer(): Assessment {
    if (!this.usability.usable) return this.notUsable()
    const names = flagNames(SINGLE_ISSUER_RING)
    const trial = this.trial(SINGLE_ISSUER_RING)
    if (!trial) return {met: false, reason: `${names} was not tried by this probe`}
    if (!trial.ok) return {met: false, reason: `${names} refused (${trial.error}): ${this.refusal(trial)}`}
    if (!this.works('multishotPollSingleIssuer')) return this.failed('multishotPollSingleIssuer')
    return {met: true, reason: `${names} accepted and multishot POLL_ADD works on that ring`}
  }

  private ioPoll(): Assessment {
    if (!this.usability.usable) return this.notUsable()
    const trial = this.trial(flagMask('IOPOLL'))
    if (trial && !trial.ok) return {met: false, reason: `IOPOLL refused (${trial.error}): ${this.refusal(trial)}`}
    if (!this.works('iopollPollAdd'))
      return {met: false, reason: `${this.behaviourFailure('iopollPollAdd')}, and the loop wakes through a POLL_ADD on an eventfd`}
    return {met: true, reason: 'an IOPOLL ring accepts the POLL_ADD the loop wakes through'}
  }

  private largestRing(): Assessment {
    if (!this.usability.usable) return this.notUsable()
    const trial = this.raw.setupTrials.find((candidate) => candidate.flags === 0 && candidate.entries === MAX_RING_ENTRIES)
    const what = `a ring of ${MAX_RING_ENTRIES} SQ entries`
    if (!trial) return {met: false, reason: `${what} was not tried by this probe`}
    return trial.ok
      ? {met: true, reason: `${what} is accepted`}
      : {met: false, reason: `${what} is refused (${trial.error}): ${this.refusal(trial)}`}
  }
}

// The release that brought what each behaviour test tries (multishot poll: the seed's 5.13).
const BEHAVIOUR_SINCE: Record<Exclude<BehaviourId, 'iopollPollAdd'>, () => {name: string; firstKernel: string}> = {
  multishotPoll: () => ({name: 'multishot POLL_ADD', firstKernel: milestone('multishot_poll').firstKernel}),
  multishotPollSingleIssuer: () => ({name: 'multishot POLL_ADD', firstKernel: milestone('multishot_poll').firstKernel}),
  extArgWait: () => ({name: 'EXT_ARG', firstKernel: firstKernelOf(FEATURES, 'EXT_ARG')}),
  linkTimeout: () => ({name: 'LINK_TIMEOUT', firstKernel: firstKernelOf(OPCODES, 'LINK_TIMEOUT')}),
}

function firstKernelOf(section: Section, name: string): string {
  const entry = section.byName(name)
  if (!entry) throw new Error(`src/probe/kernel-table.json has no ${section.prefix}${name}`)
  return entry.firstKernel
}

function unavailable(section: Section, why: string): NamedSet {
  return {source: null, unavailable: why, rows: namedRows(section, [])}
}

/** Every number the table names, plus any the kernel reported beyond it, each marked. */
function namedRows(section: Section, present: number[]): NamedRow[] {
  const found = new Set(present)
  const numbers = new Set([...section.entries.map((entry) => entry.number), ...present])
  return [...numbers]
    .sort((a, b) => a - b)
    .map((number) => ({
      number,
      name: nameOf(section, number),
      firstKernel: section.byNumber(number)?.firstKernel ?? null,
      has: found.has(number),
    }))
}
