#include "onyx_vector_math.h"

// Results must not depend on the CPU: a product and a sum stay two roundings
// (no fused multiply-add), as in the Swift loops these replace.
#pragma STDC FP_CONTRACT OFF

// Each function below is compiled for AVX-512, for AVX2 and for the x86-64
// baseline (SSE2), and the dynamic loader picks the widest one the CPU runs
// (an ifunc). Elsewhere the one plain version is built.
#if defined(__x86_64__) && defined(__ELF__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define ONYX_WIDEST __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef ONYX_WIDEST
#define ONYX_WIDEST
#endif

// Sixteen floats, loaded and stored at any alignment; a target without
// 512-bit registers splits each operation into narrower ones.
typedef float onyx_f32x16 __attribute__((vector_size(64), aligned(4)));

// sums[i..<i + 16·blocks], each output adding its taps in order from zero,
// 16·blocks sums held in registers across every tap.
__attribute__((always_inline)) static inline void weighted_taps_block(
    const float *source, const ptrdiff_t *offsets, const float *weights, size_t taps, float *sums, size_t i,
    size_t blocks) {
    onyx_f32x16 sum[4] = {{0}, {0}, {0}, {0}};
    for (size_t t = 0; t < taps; t++) {
        const onyx_f32x16 *tap = (const onyx_f32x16 *)(source + offsets[t] + i);
        float weight = weights[t];
        for (size_t b = 0; b < blocks; b++) sum[b] += weight * tap[b];
    }
    onyx_f32x16 *out = (onyx_f32x16 *)(sums + i);
    for (size_t b = 0; b < blocks; b++) out[b] = sum[b];
}

// Sixty-four outputs at a time, then sixteen; a last partial block is the
// one that ends at `count`, overlapping outputs already written, which it
// writes again with the same values (an output's sum does not depend on the
// block that computes it). Only a run shorter than sixteen goes one by one.
ONYX_WIDEST
void onyx_weighted_taps_f32(
    const float *source, const ptrdiff_t *offsets, const float *weights, size_t taps, float *sums, size_t count) {
    if (count < 16) {
        for (size_t i = 0; i < count; i++) {
            float sum = 0;
            for (size_t t = 0; t < taps; t++) sum += weights[t] * source[offsets[t] + i];
            sums[i] = sum;
        }
        return;
    }
    size_t i = 0;
    for (; i + 64 <= count; i += 64) weighted_taps_block(source, offsets, weights, taps, sums, i, 4);
    for (; i + 16 <= count; i += 16) weighted_taps_block(source, offsets, weights, taps, sums, i, 1);
    if (i < count) weighted_taps_block(source, offsets, weights, taps, sums, count - 16, 1);
}

// Stride 2 (a stride-2 convolution's rows, the common case) is its own loop,
// which the compiler vectorizes as loads and shuffles.
ONYX_WIDEST
void onyx_strided_copy_f32(float *restrict target, const float *restrict source, size_t stride, size_t count) {
    if (stride == 2) {
        for (size_t i = 0; i < count; i++) target[i] = source[2 * i];
        return;
    }
    for (size_t i = 0; i < count; i++) target[i] = source[i * stride];
}

// `value > kept ? value : kept` is what x86's maxps computes, so the
// compiler vectorizes it without changing which operand a NaN leaves.
ONYX_WIDEST
void onyx_strided_max_f32(float *restrict best, const float *restrict source, size_t stride, size_t count) {
    if (stride == 1) {
        for (size_t i = 0; i < count; i++) best[i] = source[i] > best[i] ? source[i] : best[i];
        return;
    }
    if (stride == 2) {
        for (size_t i = 0; i < count; i++) best[i] = source[2 * i] > best[i] ? source[2 * i] : best[i];
        return;
    }
    for (size_t i = 0; i < count; i++) best[i] = source[i * stride] > best[i] ? source[i * stride] : best[i];
}

// Four vectors of partial sums, so four adds are in flight, then one for
// the blocks of 16 left; the lanes are added as a tree. The order of every
// addition is fixed by the count alone, whatever the vector width.
ONYX_WIDEST
float onyx_sum_f32(const float *values, size_t count) {
    onyx_f32x16 partial[4] = {{0}, {0}, {0}, {0}};
    size_t i = 0;
    for (; i + 64 <= count; i += 64) {
        const onyx_f32x16 *block = (const onyx_f32x16 *)(values + i);
        for (size_t b = 0; b < 4; b++) partial[b] += block[b];
    }
    onyx_f32x16 lanes = (partial[0] + partial[1]) + (partial[2] + partial[3]);
    for (; i + 16 <= count; i += 16) lanes += *(const onyx_f32x16 *)(values + i);
    typedef float f32x8 __attribute__((vector_size(32)));
    typedef float f32x4 __attribute__((vector_size(16)));
    f32x8 eight = __builtin_shufflevector(lanes, lanes, 0, 1, 2, 3, 4, 5, 6, 7)
        + __builtin_shufflevector(lanes, lanes, 8, 9, 10, 11, 12, 13, 14, 15);
    f32x4 four = __builtin_shufflevector(eight, eight, 0, 1, 2, 3) + __builtin_shufflevector(eight, eight, 4, 5, 6, 7);
    float sum = (four[0] + four[2]) + (four[1] + four[3]);
    for (; i < count; i++) sum += values[i];
    return sum;
}

// The selects are Swift's min and max, written out: min(1, v) is
// `v < 1 ? v : 1` and max(0, v) is `v >= 0 ? v : 0`, so a NaN gives what the
// Swift loop gave.
ONYX_WIDEST
void onyx_hard_swish_f32(const float *restrict x, float *restrict out, size_t count, float alpha, float beta) {
    for (size_t i = 0; i < count; i++) {
        float gate = alpha * x[i] + beta;
        gate = gate < 1 ? gate : 1;
        gate = gate >= 0 ? gate : 0;
        out[i] = x[i] * gate;
    }
}
