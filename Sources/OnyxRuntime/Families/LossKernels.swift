import OnyxIR

/// Kernels of the Loss family.
enum LossKernels {
    static let table: [KernelRegistration] = []
}
