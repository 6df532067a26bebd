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
  /** Set once the run watches an active install in a way that takes recheck requests. */
  takesRechecks = false;
  private rechecksAsked = 0;
  private rechecksDone = 0;
  private rechecksServing = 0;

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

  /** Asks for a re-verification now; the number to wait for with `recheckDone`. */
  requestRecheck(): number {
    this.rechecksAsked += 1;
    return this.rechecksAsked;
  }

  get recheckPending(): boolean {
    return this.rechecksAsked > this.rechecksDone;
  }

  /** The requests a check starting now answers: those made before it started. */
  startRecheck(): void {
    this.rechecksServing = this.rechecksAsked;
  }

  finishRecheck(): void {
    this.rechecksDone = Math.max(this.rechecksDone, this.rechecksServing);
  }

  recheckDone(ticket: number): boolean {
    return this.rechecksDone >= ticket;
  }

  requestDeprovision(request: DeprovisionRequest): void {
    this.deprovision ??= { at: new Date().toISOString(), by: request.requestedBy };
  }
}
