/// A reason an artifact is rejected. Each case carries the value that failed.
///
/// All of these map to exit code 2 in the command-line tools: the artifact itself is
/// unusable, whatever the time.
public enum ArtifactError: Error, Equatable, Sendable {
    /// The text is not a structurally valid artifact, for example truncated.
    case malformed(String)
    /// A part is not valid base64url, UTF-8 or JSON where that encoding is required.
    case invalidEncoding(String)
    /// The file is UTF-16; tokens and armor must be UTF-8.
    case utf16
    /// The file contains bytes that do not belong in a text artifact.
    case binary
    /// The file holds no `-----BEGIN VUPT …-----` block.
    case noArmoredBlock
    /// Larger than the size limit, in bytes.
    case tooLarge(size: Int, limit: Int)
    /// A token longer than the token limit, in bytes.
    case tokenTooLong(length: Int, limit: Int)
    /// The token is PASETO, but not `v4.public`.
    case unsupportedTokenHeader(String)
    /// The Ed25519 signature does not verify with the trusted key the footer names.
    case signatureInvalid(keyID: String)
    /// The footer names a key id that is not among the trusted keys.
    case unknownKey(keyID: String)
    /// The footer names no key id.
    case missingKeyID
    /// An artifact of another kind, for example a revocation list given as a license.
    case wrongKind(expected: ArtifactKind, found: String)
    /// A format version this build does not read.
    case unsupportedVersion(found: String, supported: String)
    /// A JSON object repeats a member name.
    case duplicateKey(String)
    case missingClaim(String)
    case nullClaim(String)
    case invalidClaim(name: String, reason: String)
    /// `seats` is zero or negative.
    case invalidSeats(String)
}

extension ArtifactError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .malformed(let detail): return "malformed: \(detail)"
        case .invalidEncoding(let detail): return "invalid encoding: \(detail)"
        case .utf16: return "file is UTF-16; save it as UTF-8"
        case .binary: return "binary file: a license file is text with an armored block"
        case .noArmoredBlock:
            return "no armored block: expected a line '-----BEGIN VUPT LICENSE-----'; check that this is a Vupt license file"
        case let .tooLarge(size, limit): return "file is \(size) bytes, over the \(limit)-byte limit"
        case let .tokenTooLong(length, limit): return "malformed: token is \(length) bytes, over the \(limit)-byte limit"
        case .unsupportedTokenHeader(let header):
            return "unsupported token '\(header)': only v4.public tokens are accepted"
        case .signatureInvalid(let keyID):
            return "signature invalid for key \(keyID): the file was altered or damaged; ask the vendor for a new copy"
        case .unknownKey(let keyID):
            return "unknown key \(keyID): it is not among the trusted keys; pass the vendor's key with "
                + "--public-key FILE or --trust DIR"
        case .missingKeyID: return "malformed: the footer has no 'kid'"
        case let .wrongKind(expected, found): return "wrong kind: expected a \(expected.displayName), found \(found)"
        case let .unsupportedVersion(found, supported):
            return "unsupported version \(found): this build reads \(supported)"
        case .duplicateKey(let name): return "duplicate JSON key '\(name)'"
        case .missingClaim(let name): return "missing claim '\(name)'"
        case .nullClaim(let name): return "claim '\(name)' is null"
        case let .invalidClaim(name, reason): return "invalid claim '\(name)': \(reason)"
        case .invalidSeats(let value): return "invalid seats \(value): seats must be a positive integer"
        }
    }
}
