import OnyxIR

/// Kernels of the Normalization family.
enum NormalizationKernels {
    static let table: [KernelRegistration] = []
}
