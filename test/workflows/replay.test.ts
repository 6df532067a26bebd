import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { stack } from '../helpers';
import { workerTelemetry } from '../../worker/telemetry';
import { historiesDir } from './record-history';

const fixtures = readdirSync(historiesDir).filter((file) => file.endsWith('.json'));

describe('replaying recorded install histories with the current workflow code', () => {
  it('has recorded histories to replay', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  it.each(fixtures)('replays %s without a determinism error', async (file) => {
    const history = JSON.parse(readFileSync(join(historiesDir, file), 'utf8')) as unknown;
    await expect(
      Worker.runReplayHistory(
        // The sinks a worker has: the bundle's tracing interceptors call one (and a replay never exports).
        { workflowBundle: { code: readFileSync(stack.workflowBundlePath, 'utf8') }, ...workerTelemetry(undefined) },
        history,
        file.replace(/\.json$/, ''),
      ),
    ).resolves.toBeUndefined();
  });
});
