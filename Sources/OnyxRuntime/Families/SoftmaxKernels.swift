import OnyxIR

/// Kernels of the Softmax family.
enum SoftmaxKernels {
    static let table: [KernelRegistration] = []
}
