"""What the e2e scripts share: checks that do not stop at the first failure,
temp directories kept when something failed, and the ASan slowdown factor.

Module-level state on purpose: each script is a one-shot program whose
checks all report into the same list.
"""
import os
import shutil
import sys
import tempfile

ASAN = bool(os.environ.get("WOW_ASAN"))
SLOW = 3 if ASAN else 1

# Checks whose failure should not hide the ones after them; reported by finish().
FAILURES = []

# Temp directories, removed when every check passed (kept for a look otherwise).
TEMP_DIRS = []


def expect(ok, message):
    """Records a failed check and goes on; returns ok."""
    if not ok:
        FAILURES.append(message)
        sys.stderr.write("FAILED CHECK: %s\n" % message)
    return ok


def temp_dir(prefix):
    """A new temp directory, removed by finish() if every check passed."""
    path = tempfile.mkdtemp(prefix=prefix)
    TEMP_DIRS.append(path)
    return path


def finish(name, summary):
    """Exits 1 listing the failed checks, else removes the temp dirs and prints summary."""
    if FAILURES:
        print("%s: %d checks failed:\n  %s" % (name, len(FAILURES), "\n  ".join(FAILURES)))
        sys.exit(1)
    for d in TEMP_DIRS:
        shutil.rmtree(d, ignore_errors=True)
    print(summary)
