import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes every install carries, so operators can find installs in the Temporal UI
 * (`InstallPhase = "awaiting_role"`). A Temporal cluster must have them registered before workers start:
 * `temporal operator search-attribute create --name InstallPhase --type Keyword` (the dev stack does this).
 */
export const InstallIdAttribute = defineSearchAttributeKey('InstallId', SearchAttributeType.KEYWORD);
export const InstallPhaseAttribute = defineSearchAttributeKey('InstallPhase', SearchAttributeType.KEYWORD);
export const AwsAccountIdAttribute = defineSearchAttributeKey('AwsAccountId', SearchAttributeType.KEYWORD);
export const OrgIdAttribute = defineSearchAttributeKey('OrgId', SearchAttributeType.KEYWORD);

export const installSearchAttributes = [
  InstallIdAttribute,
  InstallPhaseAttribute,
  AwsAccountIdAttribute,
  OrgIdAttribute,
] as const;
