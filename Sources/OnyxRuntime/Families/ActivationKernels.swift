import OnyxIR

/// Kernels of the Activation family.
enum ActivationKernels {
    static let table: [KernelRegistration] = []
}
