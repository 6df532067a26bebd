import { quickAwsCall, teardownCall } from '../../workflows/activity-profiles';

describe('activity retry profiles', () => {
  it('leave the choice of what not to retry to the activities that throw, so no second list can drift', () => {
    for (const profile of [quickAwsCall, teardownCall]) {
      expect(profile.retry).toBeDefined();
      expect(profile.retry?.nonRetryableErrorTypes).toBeUndefined();
    }
  });
});
