import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { installWorkflow } from '../workflows';
import {
  AwsAccountIdAttribute,
  InstallIdAttribute,
  InstallPhaseAttribute,
  OrgIdAttribute,
  installPhases,
  decideApprovalUpdate,
  recheckPermissionsUpdate,
  getStatusQuery,
  requestDeprovisionUpdate,
  restartOnboardingUpdate,
  runnerCheckInUpdate,
  submitRoleArnUpdate,
  terminalPhases,
  waitForOnboardingUpdate,
  rotateExternalIdUpdate,
  type ApprovalDecision,
  type DeprovisionRequest,
  type InstallInput,
  type InstallPhase,
  type PermissionsStatus,
  type InstallStatus,
  type OnboardingCallback,
  type RoleArnSubmission,
  type RunnerCheckIn,
  type VerificationOutcome,
} from '../workflows/definitions';
import { outcomeWithin } from './update-outcome';
import type { ExternalIdRotation, RotateExternalIdRequest } from '../domain/external-id-rotation';

/**
 * A call the install refused: its update validator's ApplicationFailure type as `reason`, and what the failure's
 * details say about why (`code` of an ARN problem, the install's `phase`), when it carries them.
 */
export class InstallConflictError extends Error {
  constructor(
    message: string,
    readonly reason: string,
    readonly details: RejectionDetails = {},
  ) {
    super(message);
    this.name = 'InstallConflictError';
  }
}

export class InstallNotFoundError extends Error {
  constructor(installId: string) {
    super(`No install with id ${installId}.`);
    this.name = 'InstallNotFoundError';
  }
}

export interface InstallSummary {
  installId: string;
  orgId?: string;
  awsAccountId?: string;
  phase?: InstallPhase;
  workflowStatus: string;
  startedAt: string;
}

export interface InstallFilter {
  phase?: string;
  awsAccountId?: string;
  orgId?: string;
  /** Only installs of these orgs (the caller's key); absent: every org. */
  orgIds?: readonly string[];
}

type InstallHandle = WorkflowHandle<typeof installWorkflow>;

/** What a validator's rejection may tell the caller beyond its type and message. */
export interface RejectionDetails {
  code?: string;
  phase?: InstallPhase;
}

/**
 * The facts in an ApplicationFailure's details: a bare string is a problem code (`InvalidRoleArn`, the ARN check's
 * code), an object may name `code` and `phase`; anything else is left out.
 */
function rejectionDetails(details: unknown): RejectionDetails {
  const [first] = Array.isArray(details) ? (details as unknown[]) : [];
  if (typeof first === 'string') return { code: first };
  if (typeof first !== 'object' || first === null) return {};
  const { code, phase } = first as { code?: unknown; phase?: unknown };
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof phase === 'string' && (installPhases as readonly string[]).includes(phase)
      ? { phase: phase as InstallPhase }
      : {}),
  };
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** What the API and CLI do to installs, in Temporal terms; one instance per process, any number of processes. */
export class InstallService {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly options: {
      /** List only installs started on this task queue, for a namespace that other deployments (or tests) share. */
      listOwnTaskQueueOnly?: boolean;
    } = {},
  ) {}

  private handle(installId: string): InstallHandle {
    return this.client.workflow.getHandle<typeof installWorkflow>(installId);
  }

  /**
   * Rejections raised by the workflow's update validators come back as the failure's type. An update sent to an
   * install that has ended looks like "not found" to Temporal; it is a conflict with the install's phase.
   */
  private async rethrowUpdateFailure(installId: string, error: unknown): Promise<never> {
    if (error instanceof WorkflowUpdateFailedError) {
      const cause = error.cause as { type?: string; message?: string; details?: unknown } | undefined;
      throw new InstallConflictError(
        cause?.message ?? error.message,
        cause?.type ?? 'UpdateRejected',
        rejectionDetails(cause?.details),
      );
    }
    if (error instanceof WorkflowNotFoundError) {
      const status = await this.status(installId);
      throw new InstallConflictError(`The install has ended: it is ${status.phase}.`, 'WrongPhase', {
        phase: status.phase,
      });
    }
    throw error;
  }

  /**
   * Starts the install and answers once its onboarding kit exists, or finds the one already started with this id: the
   * workflow id is the install id and the id is never reused, so a retried request can never start a second workflow.
   * The start carries the update that waits for the kit (Update-with-Start), so nothing polls. The conflict policy is
   * FAIL rather than USE_EXISTING because SDK 1.24 does not tell whether Update-with-Start started the workflow, and
   * the caller answers 201 or 200 by it; an existing install is asked for its kit in a second step.
   */
  async start(input: InstallInput): Promise<{ created: boolean; status: InstallStatus }> {
    const startWorkflowOperation = new WithStartWorkflowOperation(installWorkflow, {
      workflowId: input.installId,
      taskQueue: this.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: InstallIdAttribute, value: input.installId },
        { key: OrgIdAttribute, value: input.orgId },
        { key: AwsAccountIdAttribute, value: input.awsAccountId },
        { key: InstallPhaseAttribute, value: 'awaiting_role' },
      ],
      staticSummary: `Install **${input.installId}** for org ${input.orgId}, AWS account ${input.awsAccountId} (${input.region})`,
      memo: { orgId: input.orgId, awsAccountId: input.awsAccountId, region: input.region },
    });
    try {
      const status = await this.client.workflow.executeUpdateWithStart(waitForOnboardingUpdate, {
        startWorkflowOperation,
      });
      return { created: true, status };
    } catch (error) {
      // Started, but the update failed: the run ended before its kit existed, or a worker without the handler took it.
      if (error instanceof WorkflowUpdateFailedError) {
        return { created: true, status: await this.status(input.installId) };
      }
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      const status = await this.onboardedStatus(input.installId);
      if (
        status.awsAccountId !== input.awsAccountId ||
        status.orgId !== input.orgId ||
        status.region !== input.region
      ) {
        throw new InstallConflictError(
          `Install ${input.installId} already exists for another org, account or region.`,
          'InstallIdTaken',
        );
      }
      return { created: false, status };
    }
  }

  async status(installId: string): Promise<InstallStatus> {
    try {
      return await this.handle(installId).query(getStatusQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new InstallNotFoundError(installId);
      throw error;
    }
  }

  /**
   * The org an install belongs to, from its search attribute: answered by the Temporal frontend without a worker, and
   * the same in every run of a continued-as-new install.
   */
  async orgOf(installId: string): Promise<string | undefined> {
    try {
      const description = await this.handle(installId).describe();
      return description.typedSearchAttributes.get(OrgIdAttribute);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new InstallNotFoundError(installId);
      throw error;
    }
  }

  /**
   * The status once the workflow has created the External ID, which the onboarding artifacts need: read with one
   * query, and only while it does not exist yet, waited for with an update (no polling). An install that ended
   * without one answers as it is.
   */
  async onboardedStatus(installId: string): Promise<InstallStatus> {
    const status = await this.status(installId);
    if (status.onboarding || terminalPhases.includes(status.phase)) return status;
    try {
      return await this.handle(installId).executeUpdate(waitForOnboardingUpdate);
    } catch (error) {
      // Ended before its kit existed (or a worker without the handler took the update): the status as it is.
      if (error instanceof WorkflowNotFoundError || error instanceof WorkflowUpdateFailedError) {
        return this.status(installId);
      }
      throw error;
    }
  }

  async list(filter: InstallFilter, limit = 100): Promise<InstallSummary[]> {
    const clauses = [`WorkflowType = 'installWorkflow'`];
    if (this.options.listOwnTaskQueueOnly) clauses.push(`TaskQueue = ${quote(this.taskQueue)}`);
    if (filter.phase) clauses.push(`${InstallPhaseAttribute.name} = ${quote(filter.phase)}`);
    if (filter.awsAccountId) clauses.push(`${AwsAccountIdAttribute.name} = ${quote(filter.awsAccountId)}`);
    if (filter.orgId) clauses.push(`${OrgIdAttribute.name} = ${quote(filter.orgId)}`);
    if (filter.orgIds) clauses.push(`${OrgIdAttribute.name} IN (${filter.orgIds.map(quote).join(', ') || '""'})`);
    const installs: InstallSummary[] = [];
    for await (const execution of this.client.workflow.list({ query: clauses.join(' AND '), pageSize: limit })) {
      const attributes = execution.typedSearchAttributes;
      installs.push({
        installId: execution.workflowId,
        orgId: attributes.get(OrgIdAttribute),
        awsAccountId: attributes.get(AwsAccountIdAttribute),
        phase: attributes.get(InstallPhaseAttribute) as InstallPhase | undefined,
        workflowStatus: execution.status.name,
        startedAt: execution.startTime.toISOString(),
      });
      if (installs.length >= limit) break;
    }
    return installs;
  }

  /**
   * Installs by phase from Temporal visibility (the InstallPhase attribute, written where an install rests): running
   * installs for the phases an install lives in, and for the ending phases the installs that ended there and are
   * still kept (the namespace's retention). One count per phase: visibility groups by ExecutionStatus only.
   */
  async countByPhase(): Promise<Record<InstallPhase, number>> {
    const counts = await Promise.all(
      installPhases.map(async (phase) => {
        const execution = terminalPhases.includes(phase)
          ? `ExecutionStatus != 'Running' AND ExecutionStatus != 'ContinuedAsNew'`
          : `ExecutionStatus = 'Running'`;
        const query = `WorkflowType = 'installWorkflow' AND ${InstallPhaseAttribute.name} = ${quote(phase)} AND ${execution}`;
        return [phase, (await this.client.workflow.count(query)).count] as const;
      }),
    );
    return Object.fromEntries(counts) as Record<InstallPhase, number>;
  }

  /**
   * Submits the role ARN and waits up to `waitMs` for the verification outcome; undefined means it is still
   * running (the caller answers 202 and points at the status).
   */
  async submitRoleArn(
    installId: string,
    submission: RoleArnSubmission,
    waitMs: number,
  ): Promise<VerificationOutcome | undefined> {
    try {
      const update = await this.handle(installId).startUpdate(submitRoleArnUpdate, {
        args: [submission],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });
      return await outcomeWithin(update, waitMs);
    } catch (error) {
      return this.rethrowUpdateFailure(installId, error);
    }
  }

  /** A new one-time callback for the role template; the previous token stops working. */
  async restartOnboarding(installId: string): Promise<OnboardingCallback> {
    try {
      return await this.handle(installId).executeUpdate(restartOnboardingUpdate);
    } catch (error) {
      return this.rethrowUpdateFailure(installId, error);
    }
  }

  async checkInRunner(installId: string, checkIn: RunnerCheckIn): Promise<InstallPhase> {
    try {
      return (await this.handle(installId).executeUpdate(runnerCheckInUpdate, { args: [checkIn] })).phase;
    } catch (error) {
      return this.rethrowUpdateFailure(installId, error);
    }
  }

  /** Re-verifies an active install now (its permissions among the rest); answers once the check ran. */
  async recheckPermissions(installId: string): Promise<{ phase: InstallPhase; permissions?: PermissionsStatus }> {
    try {
      return await this.handle(installId).executeUpdate(recheckPermissionsUpdate);
    } catch (error) {
      return this.rethrowUpdateFailure(installId, error);
    }
  }

  async decideApproval(installId: string, decision: ApprovalDecision): Promise<InstallPhase> {
    try {
      return (await this.handle(installId).executeUpdate(decideApprovalUpdate, { args: [decision] })).phase;
    } catch (error) {
      return this.rethrowUpdateFailure(installId, error);
    }
  }

  /** Starts an External ID rotation; answers with its first step once the new ID exists. */
  async rotateExternalId(installId: string, request: RotateExternalIdRequest): Promise<ExternalIdRotation> {
    try {
      return await this.handle(installId).executeUpdate(rotateExternalIdUpdate, { args: [request] });
    } catch (error) {
      return this.rethrowUpdateFailure(installId, error);
    }
  }

  async requestDeprovision(installId: string, request: DeprovisionRequest): Promise<InstallPhase> {
    try {
      return (await this.handle(installId).executeUpdate(requestDeprovisionUpdate, { args: [request] })).phase;
    } catch (error) {
      return this.rethrowUpdateFailure(installId, error);
    }
  }
}
