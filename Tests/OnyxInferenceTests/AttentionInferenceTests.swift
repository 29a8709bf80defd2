import OnyxInference
import Testing

/// Shapes of Attention, LinearAttention, RotaryEmbedding, RMSNormalization,
/// SwiGLU, Swish, CausalConvWithState and TensorScatter.
@Suite struct AttentionInferenceTests {
    @Test func attentionIn4DWithAKeyValueCache() throws {
        let (types, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 23]>
            g (float[B, 8, S, 64] q, float[batch, 2, T, 64] k, float[B, 2, T, 32] v, float[B, 2, P, 64] pk, float[B, 2, P, 32] pv) => (y, key, value, qk, y2, key2) {
               y, key, value, qk = Attention (q, k, v, , pk, pv)
               y2, key2 = Attention <is_causal = 1> (q, k, v)
            }
            """)
        #expect(findings.isEmpty)
        // K's batch is unified with Q's; the caches grow by K's and V's sequence.
        #expect(types == [
            "tensor(FLOAT)[B,8,S,32]", "tensor(FLOAT)[B,2,P + T,64]", "tensor(FLOAT)[B,2,P + T,32]",
            "tensor(FLOAT)[B,8,S,P + T]",
            "tensor(FLOAT)[B,8,S,32]", "tensor(FLOAT)[B,2,T,64]",
        ])
    }

    @Test func attentionIn3DSplitsTheHiddenSizeByHeads() throws {
        let (types, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 24]>
            g (float16[2, 5, 512] q, float16[2, 7, 128] k, float16[2, 7, 64] v, float16[2, 2, 3, 64] pk, float16[2, 2, 3, 32] pv, float[B, S, H] sq, float[B, T, 16] sk, float[B, T, V] sv) => (y, key, value, qk, symbolic) {
               y, key, value, qk = Attention <q_num_heads = 8, kv_num_heads = 2> (q, k, v, , pk, pv)
               symbolic = Attention <q_num_heads = 4, kv_num_heads = 2> (sq, sk, sv)
            }
            """)
        #expect(findings.isEmpty)
        // The present key and value are 4-D whatever the inputs; V's hidden size times 8/2 heads is Y's.
        #expect(types == [
            "tensor(FLOAT16)[2,5,256]", "tensor(FLOAT16)[2,2,10,64]", "tensor(FLOAT16)[2,2,10,32]",
            "tensor(FLOAT16)[2,8,5,10]",
            "tensor(FLOAT)[B,S,2*V]",
        ])
    }

    @Test func attentionsInputsMustFitTogether() throws {
        let (_, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 24]>
            g (float[B, 8, S, 64] q, float[B, 2, T, 64] k, float[B, 2, T, 32] v, float[B, 3, S, 64] q3, float[B, 2, T, 48] k48, float[B, S, 100] h, float[B, T, 64] h2, float[B, 2, P, 64] pk, int64[B] lengths) => (a, b, c, d, e, f, g2) {
               a = Attention (h, h2, h2)
               b = Attention <q_num_heads = 8, kv_num_heads = 2> (h, h2, h2)
               c = Attention (q, h2, h2)
               d = Attention (q3, k, v)
               e = Attention (q, k48, v)
               f = Attention (q, k, v, , pk)
               g2 = Attention (q, k, v, , pk, pk, lengths)
            }
            """)
        #expect(findings.map(\.message) == [
            "3-D inputs need the q_num_heads and kv_num_heads attributes",
            "Q's hidden size 100 is not a multiple of its 8 heads",
            "Q, K and V must have the same rank; they have [B,8,S,64], [B,T,64], [B,T,64]",
            "3 query heads cannot share 2 key/value heads evenly",
            "Q and K head sizes: 64 and 48 differ",
            "past_key and past_value go together",
            "nonpad_kv_seqlen cannot be used with past_key and past_value",
        ])
    }

    @Test func linearAttentionOutputAndState() throws {
        let (types, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 27]>
            g (float[B, T, 512] q, float[B, T, 128] k, float[B, T, 96] v, float16[B, 2, 64, 48] state, float[B, T, 2] decay, float[B, T, 2] beta) => (y, present, y2, fresh) {
               y, present = LinearAttention <q_num_heads = 8, kv_num_heads = 2> (q, k, v, state, decay, beta)
               y2, fresh = LinearAttention <q_num_heads = 8, kv_num_heads = 2, update_rule = "linear"> (q, k, v)
            }
            """)
        #expect(findings.isEmpty)
        // The state keeps past_state's type, else the query's.
        #expect(types == [
            "tensor(FLOAT)[B,T,384]", "tensor(FLOAT16)[B,2,64,48]", "tensor(FLOAT)[B,T,384]", "tensor(FLOAT)[B,2,64,48]",
        ])
        let (_, errors) = try inferred("""
            <ir_version: 10, opset_import: ["" : 27]>
            g (float[B, T, 512] q, float[B, T, 128] k, float[B, T, 96] v, float[B, 2, 32, 48] state, float[B, T, 2] decay) => (a, b, c) {
               a = LinearAttention <q_num_heads = 8, kv_num_heads = 3, update_rule = "linear"> (q, k, v)
               b = LinearAttention <q_num_heads = 8, kv_num_heads = 2, update_rule = "gated"> (q, k, v)
               c = LinearAttention <q_num_heads = 8, kv_num_heads = 2, update_rule = "gated"> (q, k, v, state, decay)
            }
            """)
        #expect(errors.map(\.message) == [
            "q_num_heads 8 must be a positive multiple of kv_num_heads 3",
            "update_rule \"gated\" needs decay input",
            "query and key head sizes: 64 and 32 differ",
        ])
    }

    @Test func rotaryEmbeddingAndRMSNormalizationKeepTheShape() throws {
        let (types, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 23]>
            g (float[B, H, S, 64] x4, float[B, S, 512] x3, float[M, 32] cache, float[M, 16] partial, int64[B, S] ids, float16[B, S, 64] h, float[64] scale, float[S, 1] column) => (r4, r3, rp, n, n2) {
               r4 = RotaryEmbedding (x4, cache, cache, ids)
               r3 = RotaryEmbedding <num_heads = 8> (x3, cache, cache, ids)
               rp = RotaryEmbedding <rotary_embedding_dim = 32> (x4, partial, partial, ids)
               n = RMSNormalization (h, scale)
               n2 = RMSNormalization <axis = -2> (h, column)
            }
            """)
        #expect(findings.isEmpty)
        // Y is in the scale's type.
        #expect(types == [
            "tensor(FLOAT)[B,H,S,64]", "tensor(FLOAT)[B,S,512]", "tensor(FLOAT)[B,H,S,64]", "tensor(FLOAT)[B,S,64]",
            "tensor(FLOAT)[B,S,64]",
        ])
        let (_, errors) = try inferred("""
            <ir_version: 10, opset_import: ["" : 23]>
            g (float[B, H, S, 64] x4, float[B, S, 512] x3, float[M, 16] partial, int64[B, S] ids, float[B, S, 64] h, float[32] scale, float[2, 2, 2, 64] big) => (a, b, c, d, e) {
               a = RotaryEmbedding (x3, partial, partial, ids)
               b = RotaryEmbedding (x4, partial, partial, ids)
               c = RMSNormalization <axis = 3> (h, scale)
               d = RMSNormalization (h, scale)
               e = RMSNormalization (h, big)
            }
            """)
        #expect(errors.map(\.message) == [
            "a 3-D input needs a positive num_heads attribute",
            "the caches' last dims must be half the rotated size: 16 and 32 differ",
            "axis 3 is out of range for rank 3",
            "cannot broadcast [64] with [32]: dims 64 and 32 differ",
            "the scale [2,2,2,64] has more dims than the normalized [64]",
        ])
    }

    @Test func swiGLUNeedsEqualShapesAndSwishKeepsItsInputs() throws {
        let (types, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 28]>
            g (float[B, S, 64] a, float[N, S, 64] b, float[B, S, 32] half, float[B, 64] flat) => (y, s, bad, rank) {
               y = SwiGLU (a, b)
               s = Swish <alpha = 1.5> (a)
               bad = SwiGLU (a, half)
               rank = SwiGLU (a, flat)
            }
            """)
        #expect(types.prefix(2) == ["tensor(FLOAT)[B,S,64]", "tensor(FLOAT)[B,S,64]"])
        #expect(findings.map(\.message) == [
            "A [B,S,64] and B [B,S,32] must have the same shape; SwiGLU does not broadcast: 64 and 32 differ",
            "A [B,S,64] and B [B,64] must have the same shape; SwiGLU does not broadcast",
        ])
    }

    @Test func causalConvolutionCarriesKMinusOnePositions() throws {
        let (types, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 27]>
            g (float[B, C, L] x, float[64, 1, 4] w, float[64] bias, float[B, 64, 3] past, float[64, 1, 5] w5, float[64, 2, 4] wide) => (y, state, y2, state2, bad, bad2) {
               y, state = CausalConvWithState (x, w, bias, past)
               y2, state2 = CausalConvWithState <activation = "silu"> (x, w)
               bad, s3 = CausalConvWithState (x, w5, , past)
               bad2, s4 = CausalConvWithState (x, wide)
            }
            """)
        // C is 64 from the weight on.
        #expect(types.prefix(4) == [
            "tensor(FLOAT)[B,64,L]", "tensor(FLOAT)[B,64,3]", "tensor(FLOAT)[B,64,L]", "tensor(FLOAT)[B,64,3]",
        ])
        #expect(findings.map(\.message) == [
            "past_state's length and the kernel size - 1: 4 and 3 differ",
            "the weight's middle dim is 2; a depthwise kernel has 1",
        ])
    }

    @Test func tensorScatterKeepsTheCacheShape() throws {
        let (types, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 24]>
            g (float[B, H, 100, 64] cache, float[B, H, S, 64] update, int64[batch] indices, float[B, H, 200, 64] long, float[B, 4, 50, 64] other) => (y, y2, bad, bad2, bad3) {
               y = TensorScatter (cache, update, indices)
               y2 = TensorScatter <axis = 2, mode = "circular"> (cache, update)
               bad = TensorScatter (cache, long)
               bad2 = TensorScatter <axis = 0> (cache, update)
               bad3 = TensorScatter <axis = 1> (cache, other)
            }
            """)
        #expect(types.prefix(2) == ["tensor(FLOAT)[B,H,100,64]", "tensor(FLOAT)[B,H,100,64]"])
        #expect(findings.map(\.message) == [
            "the update's 200 positions along axis 2 do not fit the cache's 100",
            "axis 0 must name a dim of the cache [B,H,100,64] other than the batch",
            "the update [B,4,50,64] and the cache [B,H,100,64] differ at dim 2: 100 and 50 differ",
        ])
    }
}
