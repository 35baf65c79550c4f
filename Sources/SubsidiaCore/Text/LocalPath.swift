/// Where a page may send someone back to after a login, a language change or a form: a path of this site only.
public enum LocalPath {
    /// Printable ASCII that a URL never holds unescaped: `"<>\^`{|}`.
    static let refused: Set<UInt8> = Set("\"<>\\^`{|}".utf8)

    /// `raw` when it is a path of this site that is safe to put in a `Location` header, else "/".
    /// Accepted: starts with one "/", then the characters a URL's path, query and fragment may hold (RFC 3986:
    /// letters, digits, `-._~`, `!$&'()*+,;=`, `:@/?#[]` and `%` escapes, which stay as typed). Refused:
    /// a scheme or a host ("//evil", "/\evil": browsers read a backslash as a slash), any control character
    /// (CR LF would split the response and set headers; a tab or a new line is dropped by browsers, so
    /// "/\t/evil" becomes "//evil"), spaces, non-ASCII and anything past 500 bytes.
    public static func safe(_ raw: String?) -> String {
        guard let raw else { return "/" }
        let bytes = raw.utf8
        guard bytes.count < 500, bytes.first == UInt8(ascii: "/") else { return "/" }
        for b in bytes where b <= 0x20 || b >= 0x7F || Self.refused.contains(b) { return "/" }
        if bytes.count > 1 && bytes[bytes.index(after: bytes.startIndex)] == UInt8(ascii: "/") { return "/" }
        return raw
    }
}
