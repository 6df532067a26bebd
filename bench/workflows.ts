export { installWorkflow } from '../workflows';
export { baselineWorkflow } from './baseline-workflow';
