export function createBaselineActivities() {
  return {
    async noop(): Promise<void> {
      // Nothing: the baseline measures Temporal's cost of an activity round trip alone.
    },
  };
}
