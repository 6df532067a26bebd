/**
 * Stops everything globalSetup started, newest first, so no process outlives the test run; every step runs even
 * when one fails (a secret found in history must not leave the Temporal server running), and the run then fails.
 */
export default async function globalTeardown(): Promise<void> {
  const cleanups = globalThis.__testStackCleanups ?? [];
  const errors: unknown[] = [];
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, errors.map(String).join('; '));
}
