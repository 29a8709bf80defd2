// Lifting large raw_data payloads out of ModelProto wire bytes before
// protobuf-c unpacks them. protobuf-c copies every bytes field into its
// allocator; for a model whose weights are inline that is the whole file
// copied once more. The lift rewrites the message with each TensorProto
// raw_data of `threshold` bytes or more replaced by a 16-byte marker (an
// 8-byte per-decode nonce, then the payload's index, little-endian), and
// returns where each payload lies in the original bytes, so that the
// decoder can point tensors at the original (mapped) bytes instead.
#ifndef ONYX_LIFT_H
#define ONYX_LIFT_H

#include <stddef.h>
#include <stdint.h>

enum { ONYX_LIFT_MARKER_SIZE = 16 };

/// Where one lifted payload lies in the original bytes.
typedef struct {
    uint64_t offset;
    uint64_t length;
} OnyxLiftedSpan;

/// The rewritten message and the payloads lifted out of it.
typedef struct {
    uint8_t *bytes;
    size_t length;
    OnyxLiftedSpan *spans;
    size_t n_spans;
} OnyxLifted;

/// Returns 1 and fills `lifted` when at least one payload was lifted;
/// returns 0 (and leaves `lifted` empty) when there was none, when the
/// bytes are not a message it can follow, or when memory ran out: the
/// caller then decodes the original bytes, which reports any problem.
int onyx_lift_raw_data(const uint8_t *bytes, size_t length, size_t threshold, const uint8_t nonce[8],
                       OnyxLifted *lifted);
/// Frees what a successful lift allocated.
void onyx_lifted_free(OnyxLifted *lifted);

/// Reads a protobuf varint at `*p` (before `end`), advancing `*p`; 0 when
/// it is truncated or longer than 64 bits. The lift and the Swift
/// encoding splice (WireReader) read the wire format through this one.
int onyx_read_varint(const uint8_t **p, const uint8_t *end, uint64_t *value);
/// Writes `value` as a protobuf varint (at most 10 bytes) at `out`;
/// returns the byte after it.
uint8_t *onyx_write_varint(uint8_t *out, uint64_t value);

#endif
