#pragma once
#include <stddef.h>

/// Returns memory glibc's malloc keeps for reuse to the system
/// (malloc_trim(0)); a no-op elsewhere. Lets each benchmark iteration
/// start from fresh pages, as a one-shot load in a new process would.
int cbench_release_free_memory(void);
