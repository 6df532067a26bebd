/**
 * Keeps the two heaviest suites apart on the two-core machine, and the end of the run busy on both cores.
 *
 * The cluster fault suite (its own cluster, three worker processes, 100 installs) goes first and the dev-server load
 * test (100 installs) after everything but the unit tests. Run side by side they starved each other's workers until
 * status queries timed out (a CI run on 2026-12-01 saw one install's status answer 500 for two minutes). The load
 * test starts only once the suites before it are taken, about 800 s of work, so the cluster suite (4-6 minutes) has
 * long ended on the other core. The unit tests come after it: they keep the other core busy while it runs, where
 * before it ran last and alone for most of its 100 s. Within each group jest's own order stands (slowest first, from
 * its cache; by file size on a clean checkout).
 */
const Sequencer = require('@jest/test-sequencer').default;

const first = ['test/cluster/cluster-faults.test.ts'];
const beforeTheUnitTests = ['test/faults/load.test.ts'];

function rank(path) {
  if (first.some((suffix) => path.endsWith(suffix))) return -1;
  if (beforeTheUnitTests.some((suffix) => path.endsWith(suffix))) return 1;
  if (path.includes('/test/unit/')) return 2;
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
