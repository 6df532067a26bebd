import type { ApprovalDecision, DeprovisionRequest, VerificationOutcome } from './definitions';

/**
 * What the install has been asked and not yet acted on: the role ARN waiting to be verified (one at a time), the
 * answers owed to role-ARN updates, a deprovision request, an approval decision. Handlers put messages in; the
 * story takes them out. Kept apart from the status, which says what the install did, not what it was asked.
 */
export class InstallInbox {
  private submission: { id: number; roleArn: string } | undefined;
  private readonly outcomes = new Map<number, VerificationOutcome>();
  private deprovision: { at: string; by?: string } | undefined;
  approvalDecision: ApprovalDecision | undefined;

  get hasSubmission(): boolean {
    return this.submission !== undefined;
  }

  get deprovisionRequested(): boolean {
    return this.deprovision !== undefined;
  }

  get deprovisionRequest(): { at: string; by?: string } | undefined {
    return this.deprovision;
  }

  submit(id: number, roleArn: string): void {
    this.submission = { id, roleArn: roleArn.trim() };
  }

  /** The submission to verify next; it stays owed an answer until `answer` is called with its id. */
  nextSubmission(): { id: number; roleArn: string } | undefined {
    return this.submission;
  }

  answer(id: number, outcome: VerificationOutcome): void {
    this.outcomes.set(id, outcome);
    if (this.submission?.id === id) this.submission = undefined;
  }

  /** Answers a submission nobody will verify now (the install stopped waiting), so no update waits forever. */
  answerUnverified(outcome: (id: number) => VerificationOutcome): void {
    if (this.submission && !this.outcomes.has(this.submission.id))
      this.answer(this.submission.id, outcome(this.submission.id));
  }

  outcome(id: number): VerificationOutcome | undefined {
    return this.outcomes.get(id);
  }

  requestDeprovision(request: DeprovisionRequest): void {
    this.deprovision ??= { at: new Date().toISOString(), by: request.requestedBy };
  }
}
