/// Returns `count` followed by the noun in the number it needs: "1 day", "2 days", "0 days".
/// `plural` defaults to the singular with an "s".
public func counted(_ count: some BinaryInteger, _ singular: String, plural: String? = nil) -> String {
    "\(count) " + (count == 1 ? singular : plural ?? singular + "s")
}
