// The progress event: what a run reports while it goes (src/report/progress.ts shows it).

import type {NativeProgress} from './native.js'
import type {SystemName, WorkloadSpec} from './workload.js'

export interface ProgressEvent {
  workload: WorkloadSpec
  system: SystemName
  progress: NativeProgress
}
