#!/bin/sh
# The project's written style, enforced (docs/ARCHITECTURE.md, "Style"):
#  - no unsafe C library functions (curl's list);
#  - no function longer than 120 lines (aim: 50);
#  - app/ never includes SDL, libpq or socket headers (but for the I/O seams below);
#  - one format: .clang-format (clang-format --dry-run --Werror).
# Exit status 1 with FILE:LINE for every violation.
set -eu
cd "$(dirname "$0")/.."
status=0
sources=$(git ls-files 'lib/*.c' 'lib/*.h' 'app/*.c' 'app/*.h' 'platform/*.c' 'platform/*.h' 'bench/*.c' 'tests/*.c' 2>/dev/null ||
          find lib app platform bench tests -name '*.[ch]')

banned='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok|sscanf)[[:space:]]*\('
if grep -nE "$banned" $sources; then
    echo "check-style: banned function above (use snprintf, strtol with end checks, memcpy)"
    status=1
fi

# The exceptions are the I/O seams themselves: the PostgreSQL sync backend
# and its migrations (app/sync/postgres.c, migrate_postgres.c), and the
# dashboard server (app/dash/), which is a network program.
app_sources=$(echo "$sources" | tr ' ' '\n' | grep '^app/' |
              grep -vE '^app/sync/(postgres|migrate_postgres)\.c$|^app/dash/')
if grep -nE '#include[[:space:]]*[<"](SDL|libpq|sys/socket|netinet)' $app_sources ; then
    echo "check-style: app/ must not include SDL, libpq or socket headers (platform/ does)"
    status=1
fi

# A function body starts with "{" in column 0 and ends with "}" in column 0.
awk -v limit=120 '
    FNR == 1 { start = 0 }
    /^\{/ { start = FNR }
    /^\}/ && start { if (FNR - start > limit) { printf "%s:%d: function is %d lines long (limit %d)\n", FILENAME, start, FNR - start, limit; bad = 1 } start = 0 }
    END { exit bad }
' $sources || status=1

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
