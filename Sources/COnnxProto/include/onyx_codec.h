// Small C helpers around protobuf-c that are awkward or slow from Swift:
// an arena allocator for decoding and encoding, and a streaming packer
// that writes a message to a file descriptor without building the whole
// encoding in memory first.
#ifndef ONYX_CODEC_H
#define ONYX_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>
#include "onnx.pb-c.h"
#include "onyx_lift.h"

/// A bump allocator. Everything it hands out lives until the arena is
/// destroyed; `free` is a no-op. Large blocks get their own allocation so
/// that a 300 MB raw_data field costs exactly its size.
typedef struct OnyxArena OnyxArena;

OnyxArena *onyx_arena_create(void);
void onyx_arena_destroy(OnyxArena *arena);
/// Returns NULL when memory is exhausted.
void *onyx_arena_alloc(OnyxArena *arena, size_t size);
/// Copies `length` bytes and appends a NUL.
char *onyx_arena_strndup(OnyxArena *arena, const char *bytes, size_t length);
/// A protobuf-c allocator that draws from `arena`.
ProtobufCAllocator onyx_arena_allocator(OnyxArena *arena);
/// Bytes the arena holds, for tests and benchmarks.
size_t onyx_arena_bytes(const OnyxArena *arena);

/// Packs `message` to `fd` through a 1 MiB buffer; appends larger than the
/// buffer (tensor bytes) go straight to write(2). Returns 0 or an errno.
int onyx_pack_to_fd(const ProtobufCMessage *message, int fd, uint64_t *written);

/// Packs `message`, whose packed size is `size`, into one buffer of that
/// size and writes it to `fd`: protobuf-c's flat packer, which finds each
/// nested message's length once, where the streaming one above asks for
/// it again at every level of nesting. For messages small enough to hold
/// in memory. Returns 0 or an errno value (ENOMEM when the buffer cannot
/// be had).
int onyx_pack_flat_to_fd(const ProtobufCMessage *message, size_t size, int fd);

/// Packs `message` into a new malloc'd buffer (caller frees). NULL on OOM.
uint8_t *onyx_pack_to_malloc(const ProtobufCMessage *message, size_t *length);

/// The address of ModelProto's descriptor (Swift cannot take the address
/// of an imported C global reliably).
const ProtobufCMessageDescriptor *onyx_model_proto_descriptor(void);

#endif
