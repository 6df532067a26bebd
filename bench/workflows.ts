// Every workflow the worker bundles (one list: workflows/index.ts), plus the benchmark's own baseline.
export * from '../workflows';
export { baselineChildWorkflow, baselineWorkflow } from './baseline-workflow';
