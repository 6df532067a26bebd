import { cataloguedCodes, fixFor } from '../../domain/error-catalog';

describe('the actionable error catalog', () => {
  it.each([
    ['RoleNotAssumable', /trust policy.*sts:ExternalId/],
    ['external_id_not_enforced', /StringEquals sts:ExternalId/],
    ['missing_permissions', /provision and deprovision policies/],
    ['AccessDenied', /provision and deprovision policies/],
    ['IdentityMismatch', /account this install is for/],
    ['InvalidRoleArn', /arn:aws:iam::<account id>:role\/<role name>/],
    ['RoleAccessLost', /recreate it from the onboarding kit/],
    ['InvalidClientTokenId', /operator/],
    ['StackFailed', /failing resource/],
    ['StackNeedsDeletion', /ROLLBACK_COMPLETE/],
    ['BucketNameTaken', /cur\.bucketName/],
    ['ValidationException', /report name, bucket and prefix/],
    ['RunnerCheckInTimedOut', /registration token/],
  ])('tells what to do about %s', (code, fix) => {
    expect(fixFor(code)).toMatch(fix);
  });

  it('gives every catalogued code a fix of its own, and unknown codes a general one', () => {
    const general = fixFor('SomethingNobodyHasSeen');
    expect(general).toMatch(/message/);
    for (const code of cataloguedCodes) expect(fixFor(code)).not.toBe(general);
  });
});
