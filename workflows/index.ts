export { installWorkflow } from './install';
export { firstReportWatchWorkflow } from './first-report-watch';
export { webhookDeliveryWorkflow } from './webhook-delivery';
export { organizationInstallWorkflow } from './organization-install';
