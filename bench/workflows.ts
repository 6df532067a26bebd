// Every workflow the worker bundles (one list: workflows/index.ts), plus the benchmark's own baseline.
export * from '../workflows';
export { baselineWorkflow } from './baseline-workflow';
