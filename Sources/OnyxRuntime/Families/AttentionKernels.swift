import OnyxIR

/// Kernels of the Attention family.
enum AttentionKernels {
    static let table: [KernelRegistration] = []
}
