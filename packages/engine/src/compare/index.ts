export { hookAnnotation, syncWaveAnnotation } from '../sync/hooks.ts';
export {
  compareApplication,
  type CompareInput,
  type CompareResult,
  type ResourceComparison,
} from './compare.ts';
export {
  buildStatus,
  reconciledAtMaxAgeMs,
  statusWriteNeeded,
  describeDrift,
  type Condition,
  type ReconcileReport,
  type StatusInput,
} from './status.ts';
