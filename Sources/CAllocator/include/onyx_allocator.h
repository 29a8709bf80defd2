#ifndef ONYX_ALLOCATOR_H
#define ONYX_ALLOCATOR_H

// No API: linking this target into an executable sets the allocator's
// defaults when the process loads (see onyx_allocator.c).

#endif
