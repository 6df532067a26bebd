/**
 * Keeps the two heaviest suites apart on the two-core machine: the cluster fault suite (its own cluster, three
 * worker processes, 100 installs) goes first and the dev-server load test (100 installs) last. Run side by side they
 * starved each other's workers until status queries timed out (a CI run on 2026-12-01 saw one install's status
 * answer 500 for two minutes); everything else keeps jest's order (slowest first, from its cache).
 */
const Sequencer = require('@jest/test-sequencer').default;

const first = ['test/cluster/cluster-faults.test.ts'];
const last = ['test/faults/load.test.ts'];

function rank(path) {
  if (first.some((suffix) => path.endsWith(suffix))) return -1;
  if (last.some((suffix) => path.endsWith(suffix))) return 1;
  return 0;
}

class HeavySuitesApart extends Sequencer {
  async sort(tests) {
    const ordered = await super.sort(tests);
    // A stable sort: within a rank, jest's own order stands.
    return [...ordered].sort((a, b) => rank(a.path) - rank(b.path));
  }
}

module.exports = HeavySuitesApart;
