import OnyxIR

/// Kernels of the Convolution family.
enum ConvolutionKernels {
    static let table: [KernelRegistration] = []
}
