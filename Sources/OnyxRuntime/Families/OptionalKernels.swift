import OnyxIR

/// Optional, OptionalHasElement and OptionalGetElement. An optional that
/// holds a value is that value itself at run time (`RuntimeValue`), so
/// these only tell the empty case apart.
enum OptionalKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("Optional", values: { call throws(RuntimeError) in
            if let value = call.values.first ?? nil { return [value] }
            guard let type = call.attribute("type")?.tp else {
                throw call.failure("an Optional without an input needs its 'type' attribute")
            }
            return [.emptyOptional(type)]
        }),
        KernelRegistration("OptionalHasElement", values: { call throws(RuntimeError) in
            let present: Bool
            switch call.values.first ?? nil {
            case nil, .emptyOptional?: present = false
            default: present = true
            }
            return [.tensor(DenseTensor([present], shape: []))]
        }),
        KernelRegistration("OptionalGetElement", values: { call throws(RuntimeError) in
            switch call.values.first ?? nil {
            case nil, .emptyOptional?: throw call.failure("the optional input holds no value")
            case let value?: return [value]
            }
        }),
    ]
}
