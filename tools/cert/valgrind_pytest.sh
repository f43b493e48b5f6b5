#!/usr/bin/env bash
# Run the Python tests that call into the C core under valgrind memcheck; exit non-zero on any
# memcheck error not suppressed by tools/cert/valgrind-python.supp (which only hides CPython's own
# interpreter internals). Usage: tools/cert/valgrind_pytest.sh [test files; default: the test modules
# that call into the compiled core, listed below]. Uses the installed
# package if there is one, else the in-place build (python monitor/_build.py).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
command -v valgrind >/dev/null || { echo "valgrind not installed (apt-get install valgrind)"; exit 2; }
# the real interpreter, not a launcher script (valgrind would only trace the launcher);
# MONITOR_PYTHON chooses it (the test suite passes its own)
PY=${MONITOR_PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"   # outside the source tree, so an installed package is not shadowed by the sources
PKGROOT=$("$PY" -c 'import monitor._ffi, os; print(os.path.dirname(os.path.dirname(monitor.__file__)))' \
          2>/dev/null || echo "$REPO")
if [ $# -eq 0 ]; then
  # default: the test modules whose tests call into the compiled core (pure-Python modules such
  # as the alert engine add minutes under valgrind and no C coverage); extend when a C-backed
  # module gets its own tests
  set -- tests/unit/test_drift_metrics.py tests/unit/test_latency.py tests/cert/test_latency_c.py \
    tests/unit/test_latency_export.py tests/unit/test_latency_table.py tests/unit/test_binning.py \
    tests/unit/test_reference.py tests/unit/test_calculate_psi.py tests/unit/test_drift_monitor.py \
    tests/unit/test_service.py tests/unit/test_counters.py tests/unit/test_categories.py \
    tests/unit/test_golden.py
fi
args=()
for f in "$@"; do case "$f" in /*) args+=("$f");; *) args+=("$REPO/$f");; esac; done
echo "valgrind memcheck (package from $PKGROOT) over: $*"
export PYTHONMALLOC=malloc PYTHONPATH="$PKGROOT" HYPOTHESIS_PROFILE=${HYPOTHESIS_PROFILE:-memcheck}
rc=0
valgrind --tool=memcheck --error-exitcode=99 --leak-check=no --track-origins=no -q \
  --suppressions="$REPO/tools/cert/valgrind-python.supp" \
  "$PY" -m pytest -q -x -p no:cacheprovider -m "not no_memcheck" ${VALGRIND_PYTEST_ARGS:-} --rootdir="$REPO" -c "$REPO/pyproject.toml" "${args[@]}" || rc=$?
exit "$rc"
