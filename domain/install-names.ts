/** Every AWS name an install uses is derived from its id, so a retried or replayed step finds what it made. */

export const installIdPattern = /^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/;

export function isValidInstallId(id: string): boolean {
  return installIdPattern.test(id);
}

export function sandboxStackName(installId: string): string {
  return `install-${installId}-sandbox`;
}

/** STS session names show up in the customer's CloudTrail, so they name the install. */
export function roleSessionName(installId: string, purpose = 'orchestrator'): string {
  return `install-${installId}-${purpose}`.slice(0, 64);
}

export function defaultCurBucketName(installId: string, accountId: string): string {
  return `cur-${accountId}-${installId}`.slice(0, 63).replace(/-+$/, '');
}

export function defaultCurPrefix(installId: string): string {
  return `cur/${installId}`;
}

export function defaultCurReportName(installId: string): string {
  return `install-${installId}`;
}

export function suggestedRoleName(installId: string): string {
  return `install-${installId}-access`.slice(0, 64);
}
