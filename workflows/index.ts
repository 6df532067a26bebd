export { installWorkflow } from './install';
