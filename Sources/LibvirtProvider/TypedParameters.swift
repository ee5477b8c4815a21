import CLibvirt
import Foundation

/// Conversions between `virTypedParameter` arrays and Swift dictionaries.
enum TypedParameters {
    /// Reads `count` parameters and clears the strings libvirt allocated in them.
    static func read(_ params: UnsafeMutablePointer<virTypedParameter>, count: Int32) -> [String: TypedParameterValue] {
        var out: [String: TypedParameterValue] = [:]
        for i in 0..<Int(count) {
            let p = params[i]
            let name = withUnsafeBytes(of: p.field) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            let value: TypedParameterValue?
            switch Int32(p.type) {
            case Int32(VIR_TYPED_PARAM_INT.rawValue): value = .int(p.value.i)
            case Int32(VIR_TYPED_PARAM_UINT.rawValue): value = .uint(p.value.ui)
            case Int32(VIR_TYPED_PARAM_LLONG.rawValue): value = .llong(p.value.l)
            case Int32(VIR_TYPED_PARAM_ULLONG.rawValue): value = .ullong(p.value.ul)
            case Int32(VIR_TYPED_PARAM_DOUBLE.rawValue): value = .double(p.value.d)
            case Int32(VIR_TYPED_PARAM_BOOLEAN.rawValue): value = .bool(p.value.b != 0)
            case Int32(VIR_TYPED_PARAM_STRING.rawValue): value = p.value.s.map { .string(String(cString: $0)) }
            default: value = nil
            }
            if let value { out[name] = value }
        }
        virTypedParamsClear(params, count)
        return out
    }

    /// Builds a libvirt-allocated parameter array; the caller frees it with `virTypedParamsFree`.
    static func build(_ values: [(String, TypedParameterValue)], operation: String) throws(LibvirtError)
        -> (UnsafeMutablePointer<virTypedParameter>?, Int32) {
        var params: UnsafeMutablePointer<virTypedParameter>? = nil
        var count: Int32 = 0
        var capacity: Int32 = 0
        for (name, value) in values {
            let rc: Int32
            switch value {
            case .int(let v): rc = virTypedParamsAddInt(&params, &count, &capacity, name, v)
            case .uint(let v): rc = virTypedParamsAddUInt(&params, &count, &capacity, name, v)
            case .llong(let v): rc = virTypedParamsAddLLong(&params, &count, &capacity, name, v)
            case .ullong(let v): rc = virTypedParamsAddULLong(&params, &count, &capacity, name, v)
            case .double(let v): rc = virTypedParamsAddDouble(&params, &count, &capacity, name, v)
            case .bool(let v): rc = virTypedParamsAddBoolean(&params, &count, &capacity, name, v ? 1 : 0)
            case .string(let v): rc = virTypedParamsAddString(&params, &count, &capacity, name, v)
            }
            if rc < 0 {
                let error = LibvirtError.last(operation)
                virTypedParamsFree(params, count)
                throw error
            }
        }
        return (params, count)
    }
}
