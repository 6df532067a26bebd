/** One line of the change set: what CloudFormation will do to which resource. */
export interface PlannedChange {
  action: string;
  logicalResourceId: string;
  resourceType: string;
  replacement?: string;
}
