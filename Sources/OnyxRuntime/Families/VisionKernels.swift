import OnyxIR

/// Kernels of the Vision family.
enum VisionKernels {
    static let table: [KernelRegistration] = []
}
