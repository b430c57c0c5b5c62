/// Every kind of signed artifact and its domain tag.
///
/// The tag is the PASETO implicit assertion: it is signed with the token but never
/// transmitted, so a signature made for one kind cannot verify as another.
public enum ArtifactKind: String, CaseIterable, Sendable {
    case license
    case revocationList

    /// The format version this build reads and writes.
    public static let formatVersion = 1

    /// The implicit assertion, for example `vupt:license:v1`.
    public var domainTag: String {
        switch self {
        case .license: return ArtifactKind.licenseTag
        case .revocationList: return ArtifactKind.revocationListTag
        }
    }

    private static let licenseTag = "vupt:license:v\(formatVersion)"
    private static let revocationListTag = "vupt:revocation-list:v\(formatVersion)"

    /// The label of the armored block, as in `-----BEGIN VUPT LICENSE-----`.
    public var armorLabel: String {
        switch self {
        case .license: return "VUPT LICENSE"
        case .revocationList: return "VUPT REVOCATION LIST"
        }
    }

    /// Readable name for messages.
    public var displayName: String {
        switch self {
        case .license: return "license"
        case .revocationList: return "revocation list"
        }
    }

    /// The kind whose domain tag prefix (`vupt:license`) matches `tag`, ignoring the version.
    static func matching(tagPrefixOf tag: String) -> ArtifactKind? {
        allCases.first { tag.hasPrefix(String($0.domainTag.dropLast(3)) + ":v") }
    }
}
