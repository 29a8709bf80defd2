// Regular expressions for RegexFullMatch, whose spec says RE2 syntax: RE2
// itself (BSD-3-Clause; Debian: libre2-dev) behind three C functions, so that
// the patterns it refuses and the texts it matches are RE2's own, and
// matching is linear in the text.
#ifndef ONYX_RE2_H
#define ONYX_RE2_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A compiled pattern.
typedef struct onyx_re2 onyx_re2;

/// Compiles the UTF-8 `pattern` of `length` bytes with RE2's default
/// options. Returns NULL when RE2 refuses it, with RE2's reason written into
/// `error` (at most `capacity` bytes, NUL-terminated).
onyx_re2 *onyx_re2_compile(const char *pattern, size_t length, char *error, size_t capacity);

/// 1 when the whole of `text` (`length` bytes) matches, else 0.
int onyx_re2_full_match(const onyx_re2 *re, const char *text, size_t length);

void onyx_re2_free(onyx_re2 *re);

#ifdef __cplusplus
}
#endif

#endif
