import OnyxIR

/// Kernels of the Quantization family.
enum QuantizationKernels {
    static let table: [KernelRegistration] = []
}
