import type { BenchResult } from './result';

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
}

const fixed = (value: number, digits = 0) => value.toFixed(digits);

/** One run: each figure for the install, the baseline and their ratio. */
export function runTable(result: BenchResult): string[] {
  const { throughput, verifyLatencyMs, history, awsCalls, footprint } = result;
  return [
    ...table([
      ['figure', 'install', 'baseline', 'ratio'],
      [
        'runs/s (end to end)',
        fixed(throughput.installsPerSecond, 1),
        fixed(throughput.baselinePerSecond, 1),
        fixed(throughput.ratio, 2),
      ],
      ...(['p50', 'p95', 'p99'] as const).map((p) => [
        `submit→verified ${p} ms`,
        fixed(verifyLatencyMs.install[p], 1),
        fixed(verifyLatencyMs.baseline[p], 1),
        fixed(verifyLatencyMs.install[p] / verifyLatencyMs.baseline[p], 2),
      ]),
      [
        'history events / run',
        fixed(history.install.eventsPerRun),
        fixed(history.baseline.eventsPerRun),
        fixed(history.eventsRatio, 2),
      ],
      [
        'payload bytes / run',
        fixed(history.install.payloadBytesPerRun),
        fixed(history.baseline.payloadBytesPerRun),
        fixed(history.payloadBytesRatio, 2),
      ],
      ...(['activities', 'timers', 'childWorkflows', 'searchAttributeUpserts'] as const).map((command) => [
        `  of which ${command} / run`,
        fixed(history.install.shapePerRun[command], 1),
        fixed(history.baseline.shapePerRun[command], 1),
        '',
      ]),
      ['AWS calls / install', fixed(awsCalls.perInstall, 1), '-', '-'],
      [
        `worker RSS, ${footprint.waitingInstalls} waiting (MiB)`,
        fixed(footprint.rssAfterMiB),
        `before ${fixed(footprint.rssBeforeMiB)}`,
        `${fixed(footprint.bytesPerWaitingInstall / 1024, 1)} KiB each`,
      ],
    ]),
    '',
    `AWS calls per install by operation: ${JSON.stringify(awsCalls.byOperation)}`,
    `workflows in the footprint worker's cache: ${footprint.cachedWorkflows}`,
  ];
}

/** A matrix: one row per server and worker count, each against the baseline measured in the same row. */
export function matrixTable(results: BenchResult[]): string[] {
  return table([
    [
      'server',
      'workers',
      'install/s',
      'baseline/s',
      'ratio',
      'verified p50 ms (ratio)',
      'verified p99 ms (ratio)',
      'events (ratio)',
      'payload B',
      'AWS calls',
      `RSS MiB, waiting`,
    ],
    ...results.map((result) => {
      const { throughput, verifyLatencyMs: latency, history, footprint } = result;
      const ms = (p: 'p50' | 'p99') =>
        `${fixed(latency.install[p])} (${fixed(latency.install[p] / latency.baseline[p], 2)})`;
      return [
        result.server.kind,
        String(result.settings.workers),
        fixed(throughput.installsPerSecond, 1),
        fixed(throughput.baselinePerSecond, 1),
        fixed(throughput.ratio, 2),
        ms('p50'),
        ms('p99'),
        `${fixed(history.install.eventsPerRun)} (${fixed(history.eventsRatio, 2)})`,
        fixed(history.install.payloadBytesPerRun),
        fixed(result.awsCalls.perInstall, 1),
        `${fixed(footprint.rssAfterMiB)}, ${footprint.waitingInstalls}`,
      ];
    }),
  ]);
}
