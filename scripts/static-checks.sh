#!/usr/bin/env bash
# The lint, the formatting check and the type check, side by side: on two cores they take about the time of the
# slowest instead of the sum (npm test runs this before jest). Each one's output is printed whole, after it ends,
# so that the three do not interleave; the exit code is 1 if any of them failed, and the failures are named.
set -uo pipefail
cd "$(dirname "$0")/.."

checks=(lint:eslint lint:format typecheck)
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
declare -A pids
for check in "${checks[@]}"; do
  npm run --silent "$check" >"$logs/$check" 2>&1 &
  pids[$check]=$!
done

failed=()
for check in "${checks[@]}"; do
  if ! wait "${pids[$check]}"; then failed+=("$check"); fi
  if [[ -s "$logs/$check" ]]; then
    echo "── npm run $check"
    cat "$logs/$check"
  fi
done

if ((${#failed[@]})); then
  echo "static checks failed: ${failed[*]}" >&2
  exit 1
fi
