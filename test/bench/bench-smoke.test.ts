import { readTestStack } from '../support/test-stack';
import { runBenchSmoke } from './bench-smoke';

describe('the benchmark', () => {
  it('completes a handful of installs and baseline runs with two worker processes on the dev server, writing every figure', async () => {
    const stack = readTestStack();
    await runBenchSmoke({ temporalAddress: stack.temporalAddress, namespace: 'default', workers: 2 });
  });
});
