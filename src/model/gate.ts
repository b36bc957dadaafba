// The regression gate's verdicts, as a result document carries them (src/gate/gate.ts judges).

export const GATE_METRICS = ['opsPerSec', 'p50', 'p99', 'vsRaw'] as const

export type GateMetric = (typeof GATE_METRICS)[number]

export interface GateConfig {
  alpha: number
  confidence: number
  metrics: Partial<Record<GateMetric, {minEffect: number}>>
}

export type VerdictKind = 'better' | 'same' | 'worse'

export interface Verdict {
  workload: string
  metric: GateMetric
  verdict: VerdictKind
  baseline: number[]
  candidate: number[]
  /** median(candidate) / median(baseline) */
  ratio: number
  interval: [number, number]
  pValue: number
  minEffect: number
  /** Why this verdict, in a sentence. */
  reason: string
}

export interface GateReport {
  passed: boolean
  alpha: number
  confidence: number
  verdicts: Verdict[]
  /** Things a reader should know: workloads missing on one side, specs that changed. */
  notes: string[]
}
