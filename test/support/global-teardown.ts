/** Stops everything globalSetup started, newest first, so no process outlives the test run. */
export default async function globalTeardown(): Promise<void> {
  const cleanups = globalThis.__testStackCleanups ?? [];
  for (const cleanup of cleanups.reverse()) await cleanup();
}
