import { accountOfArn } from '../domain/arn';
import type { Duration } from '@temporalio/common';
import { durationMs } from '../domain/durations';
import { ApplicationFailure, uuid4 } from '@temporalio/workflow';
import type { OnboardingCallback, RoleArnSubmission } from './definitions';

/**
 * Opens a callback for the role template. The id may come from the workflow's deterministic random: it is not a
 * secret, the token is (HMAC of it under the API's key, never in history).
 */
export function newCallback(validFor: Duration): OnboardingCallback {
  return {
    callbackId: uuid4().replace(/-/g, ''),
    state: 'open',
    expiresAt: new Date(Date.now() + durationMs(validFor)).toISOString(),
  };
}

export function callbackLapsed(callback: OnboardingCallback | undefined): boolean {
  return callback?.state === 'open' && Date.now() >= Date.parse(callback.expiresAt);
}

/**
 * A callback submission is taken once, from the open callback, before it expires, from a stack in the install's
 * account (when the caller passes it).
 */
export function rejectCallbackSubmission(
  current: OnboardingCallback | undefined,
  submitted: NonNullable<RoleArnSubmission['callback']>,
  accountId?: string,
): void {
  if (!current || current.callbackId !== submitted.callbackId) {
    throw ApplicationFailure.nonRetryable('This callback was replaced by a newer one.', 'CallbackSuperseded');
  }
  if (current.state === 'used') {
    throw ApplicationFailure.nonRetryable('This callback was already used.', 'CallbackUsed');
  }
  if (current.state === 'expired' || callbackLapsed(current)) {
    throw ApplicationFailure.nonRetryable(
      `This callback expired at ${current.expiresAt}; restart onboarding for a new one.`,
      'CallbackExpired',
    );
  }
  // arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>
  if (accountId !== undefined && accountOfArn(submitted.stackId) !== accountId) {
    throw ApplicationFailure.nonRetryable(`The stack is not in account ${accountId}.`, 'StackInWrongAccount');
  }
}

/** The callback that delivered a role ARN: spent, with when and the stack that reported it. */
export function markCallbackUsed(callback: OnboardingCallback, stackId: string): void {
  Object.assign(callback, { state: 'used', usedAt: new Date().toISOString(), stackId });
}
