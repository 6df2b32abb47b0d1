#!/bin/sh
# The project's written style (docs/STYLE.md), enforced:
#  - no unsafe C library functions (curl's list);
#  - no function longer than 120 lines (aim: 50) and none with a cyclomatic
#    complexity over 27 (pmccabe; aim: 15);
#  - the layers (scripts/check_layers.py): which folder may include which,
#    I/O library headers only in their seams, no clock_gettime() or SDL
#    environment outside platform/, no files calling each other in a circle;
#  - one format: .clang-format (clang-format --dry-run --Werror).
# Exit status 1 with FILE:LINE for every violation.
set -eu
cd "$(dirname "$0")/.."
status=0
sources=$(git ls-files 'lib/*.c' 'lib/*.h' 'app/*.c' 'app/*.h' 'platform/*.c' 'platform/*.h' \
              'bench/*.c' 'tests/*.c' 2>/dev/null ||
          find lib app platform bench tests -name '*.[ch]')

banned='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok|sscanf)[[:space:]]*\('
if grep -nE "$banned" $sources; then
    echo "check-style: banned function above (use snprintf, strtol with end checks, memcpy)"
    status=1
fi

python3 scripts/check_layers.py || status=1

# A function body starts with "{" in column 0 and ends with "}" in column 0.
awk -v limit=120 '
    FNR == 1 { start = 0 }
    /^\{/ { start = FNR }
    /^\}/ && start { if (FNR - start > limit) { printf "%s:%d: function is %d lines long (limit %d)\n", FILENAME, start, FNR - start, limit; bad = 1 } start = 0 }
    END { exit bad }
' $sources || status=1

# Cyclomatic complexity of the product's functions (tests and benchmarks
# are not gated: a test's table of cases is not a decision to simplify).
complexity_limit=27
product=$(echo "$sources" | tr ' ' '\n' | grep -E '^(lib|app|platform)/.*\.c$')
if command -v pmccabe >/dev/null 2>&1; then
    # pmccabe prints: modified traditional statements first lines FILE(LINE): name
    too_complex=$(pmccabe $product 2>/dev/null |
        awk -v limit=$complexity_limit '$2 > limit { f = $6; sub(/\(/, ":", f); sub(/\):$/, "", f);
            printf "%s: %s has a cyclomatic complexity of %d (limit %d)\n", f, $7, $2, limit }')
    if [ -n "$too_complex" ]; then
        echo "$too_complex"
        echo "check-style: split the functions above (a table, or a helper per case)"
        status=1
    fi
else
    echo "check-style: pmccabe not installed; complexity not checked"
    status=1
fi

if command -v clang-format >/dev/null 2>&1; then
    unformatted=$(clang-format --dry-run --Werror $sources 2>&1 | head -20)
    if [ -n "$unformatted" ]; then
        echo "$unformatted"
        echo "check-style: not formatted as .clang-format says (run clang-format -i on the files above)"
        status=1
    fi
else
    echo "check-style: clang-format not installed; format not checked"
fi

[ "$status" -eq 0 ] && echo "check-style: ok"
exit "$status"
