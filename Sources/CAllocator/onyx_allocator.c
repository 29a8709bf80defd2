// Release builds of `onyx` allocate through jemalloc, on huge pages.
//
// Why: an `onyx check` of a 20,000-node model builds about 16 MB of small
// IR objects. Through glibc's malloc that memory arrives 4 KiB page by page,
// and its ~4,000 page faults were a fifth of the whole process; jemalloc
// asks the kernel for transparent huge pages for its own mappings (where
// the kernel offers them in madvise mode), and it keeps freed memory for
// reuse instead of unmapping large blocks and faulting them in again at
// every run of a model.
//
// One arena: jemalloc's default of four per CPU gives the decoding thread
// (which runs on a large stack of its own) an arena, and so huge pages, of
// its own, which the kernel zeroes whole; with one, `check` of that model
// takes 1,100 page faults instead of 2,200 and 8% less time. The runtime's
// worker threads allocate little (each keeps its own cache of small
// blocks), and their latencies did not change.
//
// jemalloc reads this string when it starts (its documented compile-time
// configuration); MALLOC_CONF in the environment is read after it, so a
// user's own setting wins.

#if defined(ONYX_JEMALLOC)
const char *malloc_conf = "thp:always,metadata_thp:always,narenas:1";
#endif
