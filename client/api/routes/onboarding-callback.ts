import type { FastifyInstance } from 'fastify';
import { InstallConflictError } from '../../install-service';
import { callbackIdOfToken } from '../../../security/onboarding-callback-token';
import { bearerToken } from '../auth';
import {
  answers,
  bodyProblems,
  callbackProblems,
  installRouteProblems,
  linksTo,
  vendorAuthProblems,
} from '../contract';
import { onboardingRestartExample } from '../examples';
import { Problem } from '../problems';
import type { Accepted, OnboardingRestart } from '../responses';
import { installIdParam, onboardingCallbackBody } from '../schemas';
import { installLinks, type ApiOptions } from '../context';
import { permissionSetOf } from '../permission-set';
import { artifactsOf, describeCallback } from './onboarding';
import { customerLinkFor } from '../customer-page/link';

/**
 * Zero-paste onboarding: the role template's custom resource posts here with its one-time token, and the ARN goes
 * to the workflow exactly as a pasted one would. Answered at once (202): CloudFormation waits on the custom resource,
 * not on the verification.
 */
export function registerOnboardingCallbackRoutes(app: FastifyInstance, options: ApiOptions): void {
  app.post<{ Params: { installId: string }; Body: { roleArn: string; stackId: string }; Reply: Accepted }>(
    '/installs/:installId/onboarding/callback',
    {
      schema: {
        operationId: 'onboardingCallback',
        summary: "The customer's CloudFormation stack reports the role it created (Bearer: the callback token)",
        description:
          'Answered at once: verification runs after. No API key; the one-time callback token is the bearer ' +
          'credential. Requests are rate-limited per client address.',
        params: installIdParam,
        body: onboardingCallbackBody,
        security: [{ callbackToken: [] }],
        response: answers({ 202: { schema: 'Accepted', headers: { location: { type: 'string' } } } }, [
          ...installRouteProblems,
          ...bodyProblems,
          ...callbackProblems,
        ]),
      },
      links: { 202: linksTo(['getInstall'], '$request.path.installId') },
    },
    async (request, reply) => {
      const { installId } = request.params;
      // The MAC is checked before Temporal is asked anything: an anonymous caller costs no query and cannot tell an
      // install that exists from one that does not.
      const token = bearerToken(request.headers.authorization);
      const callbackId = token && callbackIdOfToken(options.runnerTokenKey, installId, token);
      if (!callbackId) {
        throw new Problem('invalidCallbackToken', 'Send Authorization: Bearer <the callback token of this install>.');
      }
      // Past the MAC, the workflow's validator decides: the callback's state, the ARN, the stack's account.
      try {
        await options.installs.submitRoleArn(
          installId,
          { roleArn: request.body.roleArn, callback: { callbackId, stackId: request.body.stackId } },
          0,
        );
      } catch (error) {
        if (error instanceof InstallConflictError && error.reason === 'CallbackExpired') {
          throw new Problem('callbackExpired', error.message, { restart: `/installs/${installId}/onboarding/restart` });
        }
        throw error;
      }
      const links = installLinks(options, installId);
      return reply.code(202).header('location', links.self).send({ accepted: true, links });
    },
  );

  app.post<{ Params: { installId: string }; Reply: OnboardingRestart }>(
    '/installs/:installId/onboarding/restart',
    {
      schema: {
        operationId: 'restartOnboarding',
        summary: 'A fresh onboarding link and callback, e.g. after the last one expired',
        params: installIdParam,
        response: answers({ 200: { schema: 'OnboardingRestart', example: onboardingRestartExample } }, [
          ...installRouteProblems,
          ...bodyProblems,
          ...vendorAuthProblems,
          'wrongPhase',
          'notReady',
        ]),
      },
      links: { 200: linksTo(['getInstall', 'getOnboardingKit'], '$request.path.installId') },
    },
    async (request) => {
      const { installId } = request.params;
      const callback = await options.installs.restartOnboarding(installId);
      const status = await options.installs.status(installId);
      const artifacts = artifactsOf(status, options.runnerTokenKey, permissionSetOf(options), options.oidcIssuer);
      // The customer link handed out before belongs to the replaced callback: this is the one that works now.
      const customerLink = customerLinkFor(options, request, status);
      return {
        callback: describeCallback(callback),
        quickCreateUrl: artifacts.quickCreateUrl,
        customerUrl: customerLink.url,
        customerUrlExpiresAt: customerLink.expiresAt,
      };
    },
  );
}
