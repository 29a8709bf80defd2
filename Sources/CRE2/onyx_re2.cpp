#include "onyx_re2.h"

#include <re2/re2.h>

#include <cstring>
#include <new>

struct onyx_re2 {
    re2::RE2 pattern;
    onyx_re2(const char *text, size_t length, const re2::RE2::Options &options)
        : pattern(re2::StringPiece(text, length), options) {}
};

onyx_re2 *onyx_re2_compile(const char *pattern, size_t length, char *error, size_t capacity) {
    re2::RE2::Options options;
    // Refusals are reported to the caller, not logged to stderr.
    options.set_log_errors(false);
    onyx_re2 *compiled = new (std::nothrow) onyx_re2(pattern, length, options);
    if (compiled == nullptr) {
        if (capacity > 0) std::strncpy(error, "out of memory", capacity - 1), error[capacity - 1] = 0;
        return nullptr;
    }
    if (!compiled->pattern.ok()) {
        if (capacity > 0) {
            std::strncpy(error, compiled->pattern.error().c_str(), capacity - 1);
            error[capacity - 1] = 0;
        }
        delete compiled;
        return nullptr;
    }
    return compiled;
}

int onyx_re2_full_match(const onyx_re2 *re, const char *text, size_t length) {
    return re2::RE2::FullMatch(re2::StringPiece(text, length), re->pattern) ? 1 : 0;
}

void onyx_re2_free(onyx_re2 *re) { delete re; }
