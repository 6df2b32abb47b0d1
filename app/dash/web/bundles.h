/*
 * bundles: system bundles served to kiosks from the dashboard
 * (`wowdash serve --bundles DIR`, docs/DEPLOY.md): GET and HEAD
 * /updates/NAME.raucb answer the file DIR/NAME.raucb, resumable with one
 * byte range, to anyone (a bundle is signed, and carries no secret).  The
 * parts here take no I/O; serve.c opens and sends the file.
 */
#ifndef WOW_BUNDLES_H
#define WOW_BUNDLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUNDLES_PREFIX   "/updates/"
#define BUNDLES_NAME_MAX 128

/* The file name a path under BUNDLES_PREFIX names, into name: letters,
 * digits and . + ~ _ - ending in ".raucb", not starting with a dot, at
 * most BUNDLES_NAME_MAX - 1 bytes.  False for anything else (a slash, an
 * escape, "..", another suffix). */
bool bundles_name(const char *path, char *name, size_t size);

enum bundles_range {
    BUNDLES_WHOLE,         /* no Range, or one this server ignores: 200 and the whole file */
    BUNDLES_PART,          /* 206: bytes *from to *to, inclusive */
    BUNDLES_UNSATISFIABLE, /* 416: starts at or past the end */
};

/* The Range header (NULL: none) of a request for a file of size bytes:
 * "bytes=A-", "bytes=A-B" or "bytes=-N" (the last N).  Several ranges, or
 * another unit, are ignored (the whole file, as RFC 9110 allows); a
 * malformed one is ignored too. */
enum bundles_range bundles_parse_range(const char *header, int64_t size, int64_t *from,
                                       int64_t *to);

#endif
