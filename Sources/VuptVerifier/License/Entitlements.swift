/// License tiers. Air-gapped licenses exist only for these two.
public enum Tier: String, CaseIterable, Sendable, Codable {
    case business
    case enterprise
}

/// Features that work without a network connection, under their stable license names.
public enum Feature: String, CaseIterable, Sendable, Codable {
    case desktopApplication = "desktop-app"
    case localMCPServer = "local-mcp-server"
    case kanban = "kanban"
    case conflictPrediction = "conflict-prediction"
    case costAnalytics = "cost-analytics"
    case signedAuditLog = "signed-audit-log"

    /// Features that need the vendor's cloud and so cannot be licensed air-gapped.
    public static let cloudOnlyNames: Set<String> = ["cloud-sync", "cloud-mcp", "auto-update", "saas-sign-in"]
}
