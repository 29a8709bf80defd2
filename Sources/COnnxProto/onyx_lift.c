// Lifting large raw_data payloads out of a ModelProto's wire bytes, so that
// protobuf-c never copies them (see onyx_lift.h).
//
// The walk follows the only message fields that can lead to a TensorProto:
// Model.graph/training_info/functions, TrainingInfo.initialization/algorithm,
// Graph.node/initializer/sparse_initializer, Function.node/attribute_proto,
// Node.attribute, Attribute.t/g/tensors/graphs/sparse_tensor(s) and
// SparseTensor.values/indices. Every other field is copied as it is, so the
// rewritten bytes decode to the same message except for the markers.

#include "onyx_lift.h"

#include <stdlib.h>
#include <string.h>

enum Kind { NONE, MODEL, TRAINING, GRAPH, FUNCTION, NODE, ATTRIBUTE, TENSOR, SPARSE };

/// Messages on a path to a tensor nest about three levels per graph; the
/// readers refuse graphs nested deeper than 64, so 256 is never the limit
/// for a model they accept. Deeper, the lift gives up and the normal decode
/// reports the nesting.
enum { MAX_DEPTH = 256, RAW_DATA_FIELD = 9 };

static enum Kind child_kind(enum Kind parent, uint64_t field) {
    switch (parent) {
    case MODEL: return field == 7 ? GRAPH : field == 20 ? TRAINING : field == 25 ? FUNCTION : NONE;
    case TRAINING: return field == 1 || field == 2 ? GRAPH : NONE;
    case GRAPH: return field == 1 ? NODE : field == 5 ? TENSOR : field == 15 ? SPARSE : NONE;
    case FUNCTION: return field == 7 ? NODE : field == 11 ? ATTRIBUTE : NONE;
    case NODE: return field == 5 ? ATTRIBUTE : NONE;
    case ATTRIBUTE:
        switch (field) {
        case 5: case 10: return TENSOR;
        case 6: case 11: return GRAPH;
        case 22: case 23: return SPARSE;
        default: return NONE;
        }
    case SPARSE: return field == 1 || field == 2 ? TENSOR : NONE;
    default: return NONE;
    }
}

typedef struct {
    const uint8_t *base;      // the original bytes
    size_t threshold;
    size_t *sizes;            // rewritten message sizes, in pre-order
    size_t n_sizes, cap_sizes;
    size_t next_size;         // the write pass's position in `sizes`
    OnyxLiftedSpan *spans;
    size_t n_spans, cap_spans;
    size_t next_span;
    uint8_t *out;             // the write pass's cursor
    const uint8_t *nonce;
} Walk;

int onyx_read_varint(const uint8_t **p, const uint8_t *end, uint64_t *value) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t byte = *(*p)++;
        result |= (uint64_t)(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) {
            *value = result;
            return 1;
        }
    }
    return 0;
}

static size_t varint_size(uint64_t value) {
    size_t size = 1;
    while (value >= 0x80) {
        value >>= 7;
        size++;
    }
    return size;
}

uint8_t *onyx_write_varint(uint8_t *out, uint64_t value) {
    while (value >= 0x80) {
        *out++ = (uint8_t)(value | 0x80);
        value >>= 7;
    }
    *out++ = (uint8_t)value;
    return out;
}

static int push(void **items, size_t *count, size_t *capacity, size_t item_size, const void *item) {
    if (*count == *capacity) {
        size_t grown = *capacity ? *capacity * 2 : 64;
        void *bigger = realloc(*items, grown * item_size);
        if (bigger == NULL) return 0;
        *items = bigger;
        *capacity = grown;
    }
    memcpy((char *)*items + *count * item_size, item, item_size);
    (*count)++;
    return 1;
}

/// Walks one message of `kind` in [p, end). The measuring pass (walk->out
/// NULL) returns the rewritten size and records sizes and spans; the
/// writing pass writes through walk->out. Returns -1 on anything it cannot
/// follow (the caller then decodes the original bytes).
static long long walk_message(Walk *walk, const uint8_t *p, const uint8_t *end, enum Kind kind, int depth) {
    if (depth > MAX_DEPTH) return -1;
    long long total = 0;
    while (p < end) {
        const uint8_t *field_start = p;
        uint64_t tag;
        if (!onyx_read_varint(&p, end, &tag)) return -1;
        size_t tag_size = (size_t)(p - field_start);
        uint64_t field = tag >> 3;
        switch (tag & 7) {
        case 0: {
            uint64_t ignored;
            if (!onyx_read_varint(&p, end, &ignored)) return -1;
            break;
        }
        case 1:
            if (end - p < 8) return -1;
            p += 8;
            break;
        case 5:
            if (end - p < 4) return -1;
            p += 4;
            break;
        case 2: {
            uint64_t length;
            if (!onyx_read_varint(&p, end, &length) || length > (uint64_t)(end - p)) return -1;
            const uint8_t *payload = p;
            p += length;
            enum Kind child = child_kind(kind, field);
            if (kind == TENSOR && field == RAW_DATA_FIELD && length >= walk->threshold) {
                // Replaced by a marker: the nonce, then the span's index.
                if (walk->out == NULL) {
                    OnyxLiftedSpan span = {(uint64_t)(payload - walk->base), length};
                    if (!push((void **)&walk->spans, &walk->n_spans, &walk->cap_spans, sizeof span, &span)) return -1;
                } else {
                    uint64_t index = walk->next_span++;
                    memcpy(walk->out, field_start, tag_size);
                    walk->out = onyx_write_varint(walk->out + tag_size, ONYX_LIFT_MARKER_SIZE);
                    memcpy(walk->out, walk->nonce, 8);
                    for (int byte = 0; byte < 8; byte++) walk->out[8 + byte] = (uint8_t)(index >> (8 * byte));
                    walk->out += ONYX_LIFT_MARKER_SIZE;
                }
                total += (long long)(tag_size + 1 + ONYX_LIFT_MARKER_SIZE);
                continue;
            }
            // A message shorter than the threshold cannot hold a payload
            // to lift: copied whole (most nodes of a model are).
            if (child != NONE && length >= walk->threshold) {
                size_t size;
                if (walk->out == NULL) {
                    // Reserve this message's slot before its children's.
                    size_t slot = walk->n_sizes, zero = 0;
                    if (!push((void **)&walk->sizes, &walk->n_sizes, &walk->cap_sizes, sizeof zero, &zero)) return -1;
                    long long inner = walk_message(walk, payload, p, child, depth + 1);
                    if (inner < 0) return -1;
                    walk->sizes[slot] = size = (size_t)inner;
                } else {
                    size = walk->sizes[walk->next_size++];
                    memcpy(walk->out, field_start, tag_size);
                    walk->out = onyx_write_varint(walk->out + tag_size, size);
                    if (walk_message(walk, payload, p, child, depth + 1) < 0) return -1;
                }
                total += (long long)(tag_size + varint_size(size) + size);
                continue;
            }
            break;
        }
        default:
            return -1;  // groups (3, 4) and invalid wire types: let protobuf-c judge
        }
        // Any other field: copied as it is.
        if (walk->out != NULL) {
            memcpy(walk->out, field_start, (size_t)(p - field_start));
            walk->out += p - field_start;
        }
        total += p - field_start;
    }
    return total;
}

int onyx_lift_raw_data(const uint8_t *bytes, size_t length, size_t threshold, const uint8_t nonce[8],
                       OnyxLifted *lifted) {
    memset(lifted, 0, sizeof *lifted);
    Walk walk = {.base = bytes, .threshold = threshold < ONYX_LIFT_MARKER_SIZE + 1 ? ONYX_LIFT_MARKER_SIZE + 1 : threshold,
                 .nonce = nonce};
    long long size = walk_message(&walk, bytes, bytes + length, MODEL, 0);
    if (size < 0 || walk.n_spans == 0) {
        free(walk.sizes);
        free(walk.spans);
        return 0;
    }
    uint8_t *out = malloc(size > 0 ? (size_t)size : 1);
    if (out == NULL) {
        free(walk.sizes);
        free(walk.spans);
        return 0;
    }
    walk.out = out;
    if (walk_message(&walk, bytes, bytes + length, MODEL, 0) != size || walk.out != out + size) {
        free(out);
        free(walk.sizes);
        free(walk.spans);
        return 0;
    }
    free(walk.sizes);
    lifted->bytes = out;
    lifted->length = (size_t)size;
    lifted->spans = walk.spans;
    lifted->n_spans = walk.n_spans;
    return 1;
}

void onyx_lifted_free(OnyxLifted *lifted) {
    free(lifted->bytes);
    free(lifted->spans);
    memset(lifted, 0, sizeof *lifted);
}
