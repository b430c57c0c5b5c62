import VuptVerifier

extension JSONValue {
    /// Indented JSON for people and scripts: two spaces, members in stored order.
    public func prettyPrinted(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .array(let elements):
            if elements.isEmpty { return "[]" }
            return "[\n" + elements.map { inner + $0.prettyPrinted(indent: inner) }.joined(separator: ",\n")
                + "\n" + indent + "]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            return "{\n"
                + members.map { member in
                    inner + String(decoding: JSONValue.string(member.key).serialized(), as: UTF8.self) + ": "
                        + member.value.prettyPrinted(indent: inner)
                }.joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return String(decoding: serialized(), as: UTF8.self)
        }
    }

    public static func optionalString(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
}
