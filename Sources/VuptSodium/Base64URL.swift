internal import CSodium

/// Unpadded base64url (RFC 4648 section 5) through libsodium's constant-time codec,
/// as PASETO and PASERK require. Decoding rejects padding, white space and
/// non-zero trailing bits.
public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        encode(bytes, variant: sodium_base64_VARIANT_URLSAFE_NO_PADDING)
    }

    public static func decode(_ text: String) throws(SodiumError) -> [UInt8] {
        try decode(text, variant: sodium_base64_VARIANT_URLSAFE_NO_PADDING)
    }
}

/// Standard base64 with padding (RFC 4648 section 4), as C2SP signed notes use.
public enum Base64Standard {
    public static func encode(_ bytes: [UInt8]) -> String {
        Base64URL.encode(bytes, variant: sodium_base64_VARIANT_ORIGINAL)
    }

    public static func decode(_ text: String) throws(SodiumError) -> [UInt8] {
        try Base64URL.decode(text, variant: sodium_base64_VARIANT_ORIGINAL)
    }
}

extension Base64URL {
    fileprivate static func encode(_ bytes: [UInt8], variant: Int32) -> String {
        _ = try? Sodium.ensureInitialized()
        let length = sodium_base64_encoded_len(bytes.count, variant)
        var output = [CChar](repeating: 0, count: length)
        output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                _ = sodium_bin2base64(out.baseAddress!, length, input.baseAddress, input.count, variant)
            }
        }
        return output.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    fileprivate static func decode(_ text: String, variant: Int32) throws(SodiumError) -> [UInt8] {
        try Sodium.ensureInitialized()
        let encoded = Array(text.utf8)
        if encoded.isEmpty { return [] }
        var output = [UInt8](repeating: 0, count: encoded.count * 3 / 4 + 3)
        var decodedLength = 0
        var end: UnsafePointer<CChar>? = nil
        let status = output.withUnsafeMutableBufferPointer { out in
            encoded.withUnsafeBufferPointer { input in
                input.baseAddress!.withMemoryRebound(to: CChar.self, capacity: input.count) { chars in
                    let result = sodium_base642bin(
                        out.baseAddress!, out.count, chars, input.count, nil, &decodedLength, &end, variant)
                    // libsodium stops at the first character outside the alphabet and reports
                    // success; a complete decode must consume every character.
                    if result == 0, let end, end != chars + input.count { return Int32(-1) }
                    return result
                }
            }
        }
        guard status == 0 else { throw .invalidBase64 }
        output.removeSubrange(decodedLength...)
        return output
    }
}
