#!/usr/bin/env bash
# Run the Python tests that call into the C core under valgrind memcheck; exit non-zero on any
# memcheck error not suppressed by tools/valgrind-python.supp (which only hides CPython's own
# interpreter internals). Usage: tools/valgrind_pytest.sh [pytest args; default: the C-touching
# test files]. Needs valgrind and an in-place build (python monitor/_build.py).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind not installed (apt-get install valgrind)"; exit 2; }
# the real interpreter, not a launcher script (valgrind would only trace the launcher)
PY=$(python3 -c 'import sys; print(sys.executable)')
if [ $# -eq 0 ]; then
  # every test module that imports the package, minus those that only drive make/compilers
  mapfile -t files < <(grep -lE '^(from monitor|import monitor)' tests/test_*.py \
      | grep -vE 'test_(cross|baremetal|fuzz|c_core|valgrind)\.py$' | sort)
  set -- "${files[@]}"
fi
echo "valgrind memcheck over: $*"
export PYTHONMALLOC=malloc HYPOTHESIS_PROFILE=${HYPOTHESIS_PROFILE:-quick}
exec valgrind --tool=memcheck --error-exitcode=99 --leak-check=no --track-origins=no -q \
  --suppressions=tools/valgrind-python.supp \
  "$PY" -m pytest -q -x -p no:cacheprovider "$@"
