#if canImport(Glibc)
import Glibc
#endif

/// The location of the customer-side store: installed licenses, revocation lists and the
/// rollback state.
public enum LicenseStoreLocation {
    public static let environmentVariable = "VUPT_LICENSE_STORE"
    public static let systemPath = "/var/lib/vupt/license"

    /// `explicit` (from `--store`), else `VUPT_LICENSE_STORE`, else `/var/lib/vupt/license`
    /// for root, else `$XDG_DATA_HOME/vupt/license`, where XDG_DATA_HOME defaults to
    /// `~/.local/share`.
    public static func resolve(explicit: String? = nil) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = FileIO.environment(environmentVariable), !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        if geteuid() == 0 { return systemPath }
        if let dataHome = FileIO.environment("XDG_DATA_HOME"), dataHome.hasPrefix("/") {
            return dataHome + "/vupt/license"
        }
        let home = FileIO.environment("HOME") ?? "."
        return home + "/.local/share/vupt/license"
    }

    /// Returns the rollback state file inside a store.
    public static func stateFile(in store: String) -> String { store + "/state.json" }
}
