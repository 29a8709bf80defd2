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

// MARK: Winograd F(2×2, 3×3)
//
// Lavin and Gray's minimal filtering: the 2×2 outputs of a 3×3 correlation
// over a 4×4 tile d are Aᵀ·[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A, 16 products instead of
// 36. Bᵀ, G and Aᵀ hold only 0, ±1 and ±½, so the transforms are adds and
// exact halvings.

// u = G·g·Gᵀ of each 3×3 filter g of weights[output][channel], value k of
// the 4×4 (row-major) to u[k·outputs·channels + output·channels + channel].
void onyx_winograd_f23_filters(const float *restrict weights, size_t outputs, size_t channels, float *restrict u) {
    const size_t matrix = outputs * channels;
    for (size_t f = 0; f < matrix; f++) {
        const float *g = weights + 9 * f;
        float t[4][3];
        for (int j = 0; j < 3; j++) {
            t[0][j] = g[j];
            t[1][j] = 0.5f * ((g[j] + g[3 + j]) + g[6 + j]);
            t[2][j] = 0.5f * ((g[j] - g[3 + j]) + g[6 + j]);
            t[3][j] = g[6 + j];
        }
        for (int i = 0; i < 4; i++) {
            u[(4 * i + 0) * matrix + f] = t[i][0];
            u[(4 * i + 1) * matrix + f] = 0.5f * ((t[i][0] + t[i][1]) + t[i][2]);
            u[(4 * i + 2) * matrix + f] = 0.5f * ((t[i][0] - t[i][1]) + t[i][2]);
            u[(4 * i + 3) * matrix + f] = t[i][2];
        }
    }
}

// Bᵀ·d·B of one 4×4 tile, its rows given as column vectors: lane l of
// d[r][j] is value (r, j) of the l-th tile. Value k of each tile goes to
// out[k·matrixStride + lane].
#define ONYX_WINOGRAD_INPUT(vector, d, out, matrixStride, store)                  \
    do {                                                                          \
        vector w_[4][4];                                                          \
        for (int j_ = 0; j_ < 4; j_++) {                                          \
            w_[0][j_] = d[0][j_] - d[2][j_];                                      \
            w_[1][j_] = d[1][j_] + d[2][j_];                                      \
            w_[2][j_] = d[2][j_] - d[1][j_];                                      \
            w_[3][j_] = d[1][j_] - d[3][j_];                                      \
        }                                                                         \
        for (int k_ = 0; k_ < 4; k_++) {                                          \
            store((out) + (4 * k_ + 0) * (matrixStride), w_[k_][0] - w_[k_][2]); \
            store((out) + (4 * k_ + 1) * (matrixStride), w_[k_][1] + w_[k_][2]); \
            store((out) + (4 * k_ + 2) * (matrixStride), w_[k_][2] - w_[k_][1]); \
            store((out) + (4 * k_ + 3) * (matrixStride), w_[k_][1] - w_[k_][3]); \
        }                                                                         \
    } while (0)

#define ONYX_STORE_SCALAR(address, value) (*(address) = (value))
#define ONYX_STORE_VECTOR(address, value) (*(onyx_f32x16 *)(address) = (value))

// Bᵀ·d·B of the tiles first..<first + count of a zero-padded plane `width`
// floats wide with `tilesPerRow` tiles to a row (tile t reads the 4×4 at row
// 2·(t / tilesPerRow), column 2·(t % tilesPerRow)); value k of tile t goes to
// out[k·matrixStride + t - first]. Sixteen tiles of a row at a time, their
// columns split into even and odd lanes; the rest one by one.
ONYX_WIDEST
void onyx_winograd_f23_input(
    const float *restrict plane, size_t width, size_t tilesPerRow, size_t first, size_t count, float *restrict out,
    size_t matrixStride) {
    size_t t = first, done = 0;
    while (done < count) {
        const size_t ty = t / tilesPerRow, tx = t % tilesPerRow;
        size_t run = tilesPerRow - tx;
        if (run > count - done) run = count - done;
        const float *rows[4];
        rows[0] = plane + 2 * ty * width + 2 * tx;
        for (int r = 1; r < 4; r++) rows[r] = rows[r - 1] + width;
        float *target = out + done;
        size_t i = 0;
        // Tiles i..<i + 16 read columns 2i ... 2i + 33 of each row, all
        // inside the padded plane.
        for (; i + 16 <= run; i += 16) {
            onyx_f32x16 d[4][4];
            for (int r = 0; r < 4; r++) {
                const float *row = rows[r] + 2 * i;
                const onyx_f32x16 a = *(const onyx_f32x16 *)row, b = *(const onyx_f32x16 *)(row + 16);
                const onyx_f32x16 c = *(const onyx_f32x16 *)(row + 2), e = *(const onyx_f32x16 *)(row + 18);
                d[r][0] = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
                d[r][1] = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
                d[r][2] = __builtin_shufflevector(c, e, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
                d[r][3] = __builtin_shufflevector(c, e, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
            }
            ONYX_WINOGRAD_INPUT(onyx_f32x16, d, target + i, matrixStride, ONYX_STORE_VECTOR);
        }
        for (; i < run; i++) {
            float d[4][4];
            for (int r = 0; r < 4; r++)
                for (int j = 0; j < 4; j++) d[r][j] = rows[r][2 * i + j];
            ONYX_WINOGRAD_INPUT(float, d, target + i, matrixStride, ONYX_STORE_SCALAR);
        }
        t += run;
        done += run;
    }
}

// Aᵀ·m·A + bias of tiles whose 16 products are m[k][lane]: their 2×2
// outputs y[row][column].
#define ONYX_WINOGRAD_OUTPUT(vector, m, bias, y)                             \
    do {                                                                     \
        vector s_[2][4];                                                     \
        for (int j_ = 0; j_ < 4; j_++) {                                     \
            s_[0][j_] = (m[j_] + m[4 + j_]) + m[8 + j_];                     \
            s_[1][j_] = (m[4 + j_] - m[8 + j_]) - m[12 + j_];                \
        }                                                                    \
        for (int i_ = 0; i_ < 2; i_++) {                                     \
            y[i_][0] = ((s_[i_][0] + s_[i_][1]) + s_[i_][2]) + (bias);       \
            y[i_][1] = ((s_[i_][1] - s_[i_][2]) - s_[i_][3]) + (bias);       \
        }                                                                    \
    } while (0)

// The outputs of tiles first..<first + count (value k of tile t at
// m[k·matrixStride + t - first]) written to their 2×2 blocks of an output
// plane of rows × columns, the parts past its edges dropped. Sixteen tiles
// of a row at a time where both their columns are inside the plane, their
// two columns interleaved as they are stored; the rest one by one.
ONYX_WIDEST
void onyx_winograd_f23_output(
    const float *restrict m, size_t matrixStride, size_t tilesPerRow, size_t first, size_t count, float bias,
    float *restrict out, size_t rows, size_t columns) {
    size_t t = first, done = 0;
    while (done < count) {
        const size_t ty = t / tilesPerRow, tx = t % tilesPerRow;
        size_t run = tilesPerRow - tx;
        if (run > count - done) run = count - done;
        const size_t y0 = 2 * ty;
        const int both = y0 + 1 < rows;
        float *row0 = out + y0 * columns + 2 * tx, *row1 = row0 + columns;
        const float *source = m + done;
        const size_t whole = columns / 2 > tx ? columns / 2 - tx : 0;
        const size_t full = whole < run ? whole : run;
        size_t i = 0;
        for (; i + 16 <= full; i += 16) {
            onyx_f32x16 products[16], y[2][2];
            for (int k = 0; k < 16; k++) products[k] = *(const onyx_f32x16 *)(source + k * matrixStride + i);
            ONYX_WINOGRAD_OUTPUT(onyx_f32x16, products, bias, y);
            for (int r = 0; r < 1 + both; r++) {
                float *row = (r == 0 ? row0 : row1) + 2 * i;
                *(onyx_f32x16 *)row = __builtin_shufflevector(
                    y[r][0], y[r][1], 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
                *(onyx_f32x16 *)(row + 16) = __builtin_shufflevector(
                    y[r][0], y[r][1], 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
            }
        }
        for (; i < run; i++) {
            float products[16], y[2][2];
            for (int k = 0; k < 16; k++) products[k] = source[k * matrixStride + i];
            ONYX_WINOGRAD_OUTPUT(float, products, bias, y);
            for (int r = 0; r < 1 + both; r++) {
                float *row = (r == 0 ? row0 : row1) + 2 * i;
                row[0] = y[r][0];
                if (i < full) row[1] = y[r][1];
            }
        }
        t += run;
        done += run;
    }
}
