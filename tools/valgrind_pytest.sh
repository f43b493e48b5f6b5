#!/usr/bin/env bash
# Run the Python tests that call into the C core under valgrind memcheck; exit non-zero on any
# memcheck error not suppressed by tools/valgrind-python.supp (which only hides CPython's own
# interpreter internals). Usage: tools/valgrind_pytest.sh [test files; default: every test
# module that imports the package, except those that only drive compilers]. Uses the installed
# package if there is one, else the in-place build (python monitor/_build.py).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
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
  mapfile -t files < <(cd "$REPO" && grep -lE '^(from monitor|import monitor)' tests/test_*.py \
      | grep -vE 'test_(cross|baremetal|fuzz|c_core|valgrind)\.py$' | sort)
  set -- "${files[@]}"
fi
args=()
for f in "$@"; do case "$f" in /*) args+=("$f");; *) args+=("$REPO/$f");; esac; done
echo "valgrind memcheck (package from $PKGROOT) over: $*"
export PYTHONMALLOC=malloc PYTHONPATH="$PKGROOT" HYPOTHESIS_PROFILE=${HYPOTHESIS_PROFILE:-quick}
exec valgrind --tool=memcheck --error-exitcode=99 --leak-check=no --track-origins=no -q \
  --suppressions="$REPO/tools/valgrind-python.supp" \
  "$PY" -m pytest -q -x -p no:cacheprovider --rootdir="$REPO" -c "$REPO/pyproject.toml" "${args[@]}"
