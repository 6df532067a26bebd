import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WithStartWorkflowOperation,
  WorkflowUpdateStage,
  type Client,
} from '@temporalio/client';
import { organizationInstallWorkflow } from '../workflows';
import {
  getOrganizationStatusQuery,
  requestOrganizationDeprovisionUpdate,
  resyncOrganizationUpdate,
  submitManagementRoleArnUpdate,
  waitForOrganizationOnboardingUpdate,
  type DeprovisionRequest,
  type ManagementRoleOutcome,
  type OrganizationInstallInput,
  type OrganizationInstallPhase,
  type OrganizationInstallStatus,
  type RoleArnSubmission,
} from '../workflows/definitions';
import { InstallConflictError, InstallNotFoundError } from './install-service';
import { outcomeWithin } from './update-outcome';

/** What the API does to organization installs (workflows/organization-install.ts), in Temporal terms. */
export class OrganizationInstallService {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  private handle(id: string) {
    return this.client.workflow.getHandle<typeof organizationInstallWorkflow>(id);
  }

  private async rethrow(id: string, error: unknown): Promise<never> {
    if (error instanceof WorkflowUpdateFailedError) {
      const cause = error.cause as { type?: string; message?: string; details?: unknown[] } | undefined;
      const phase = (cause?.details?.[0] as { phase?: string } | undefined)?.phase;
      throw new InstallConflictError(cause?.message ?? error.message, cause?.type ?? 'UpdateRejected', {
        ...(phase ? { phase: phase as never } : {}),
      });
    }
    if (error instanceof WorkflowNotFoundError) {
      const status = await this.status(id);
      throw new InstallConflictError(`The organization install has ended: it is ${status.phase}.`, 'WrongPhase', {});
    }
    throw error;
  }

  /** Starts it (idempotent on the id) and answers once its External ID exists, as single installs do. */
  async start(input: OrganizationInstallInput): Promise<{ created: boolean; status: OrganizationInstallStatus }> {
    const startWorkflowOperation = new WithStartWorkflowOperation(organizationInstallWorkflow, {
      workflowId: input.organizationInstallId,
      taskQueue: this.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: `Organization install **${input.organizationInstallId}** for org ${input.orgId}, management account ${input.managementAccountId}`,
      memo: { orgId: input.orgId, managementAccountId: input.managementAccountId },
    });
    try {
      const status = await this.client.workflow.executeUpdateWithStart(waitForOrganizationOnboardingUpdate, {
        startWorkflowOperation,
      });
      return { created: true, status };
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        return { created: true, status: await this.status(input.organizationInstallId) };
      }
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      const status = await this.status(input.organizationInstallId);
      if (status.orgId !== input.orgId || status.managementAccountId !== input.managementAccountId) {
        throw new InstallConflictError(
          `Organization install ${input.organizationInstallId} already exists for another org or management account.`,
          'InstallIdTaken',
        );
      }
      return { created: false, status };
    }
  }

  async status(id: string): Promise<OrganizationInstallStatus> {
    try {
      return await this.handle(id).query(getOrganizationStatusQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new InstallNotFoundError(id);
      throw error;
    }
  }

  /** The tenant org that owns it, or undefined when there is no such organization install. */
  async orgOf(id: string): Promise<string | undefined> {
    try {
      return (await this.status(id)).orgId;
    } catch (error) {
      if (error instanceof InstallNotFoundError) return undefined;
      throw error;
    }
  }

  async submitManagementRoleArn(id: string, roleArn: string): Promise<ManagementRoleOutcome> {
    try {
      return await this.handle(id).executeUpdate(submitManagementRoleArnUpdate, { args: [{ roleArn }] });
    } catch (error) {
      return this.rethrow(id, error);
    }
  }

  /**
   * The management role template's callback: answers once the workflow took the ARN (its validator checked the
   * callback, the ARN and the stack's account), not after verification, which CloudFormation need not wait for.
   */
  async acceptManagementRoleCallback(id: string, submission: Required<RoleArnSubmission>): Promise<void> {
    try {
      const update = await this.handle(id).startUpdate(submitManagementRoleArnUpdate, {
        args: [submission],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });
      // A second's grace rather than none for the refusal: its failure is decoded before it is raised.
      await outcomeWithin(update, 1_000);
    } catch (error) {
      return this.rethrow(id, error);
    }
  }

  async resync(id: string): Promise<OrganizationInstallStatus> {
    try {
      return await this.handle(id).executeUpdate(resyncOrganizationUpdate);
    } catch (error) {
      return this.rethrow(id, error);
    }
  }

  async requestDeprovision(id: string, request: DeprovisionRequest): Promise<OrganizationInstallPhase> {
    try {
      return (await this.handle(id).executeUpdate(requestOrganizationDeprovisionUpdate, { args: [request] })).phase;
    } catch (error) {
      return this.rethrow(id, error);
    }
  }
}
