/// What forms do to typed text, in Swift alone (perf: Foundation's `trimmingCharacters` and `replacingOccurrences`
/// copy the string into an NSString and back on Linux; in the autosave's checks they were 2 % of its time).
extension String {
    /// Without the white space at either end: spaces, tabs and line ends (Unicode's White_Space property) and the
    /// zero-width space, the same characters as Foundation's `.whitespacesAndNewlines`. The string itself when there
    /// is none to remove.
    public var trimmingWhitespace: String {
        let scalars = unicodeScalars
        func kept(_ c: Unicode.Scalar) -> Bool { !c.properties.isWhitespace && c != "\u{200B}" }
        guard let first = scalars.firstIndex(where: kept), let last = scalars.lastIndex(where: kept) else { return "" }
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return self }
        return String(scalars[first...last])
    }

    /// With each CRLF (how browsers send a line end) as one LF; a lone CR stays. The string itself when it has no CR.
    public var withUnixLineEnds: String {
        guard utf8.contains(13) else { return self }
        var out = String.UnicodeScalarView()
        let scalars = unicodeScalars
        var i = scalars.startIndex
        while i < scalars.endIndex {
            let next = scalars.index(after: i)
            if scalars[i] == "\r", next < scalars.endIndex, scalars[next] == "\n" {
                out.append("\n")
                i = scalars.index(after: next)
            } else {
                out.append(scalars[i])
                i = next
            }
        }
        return String(out)
    }
}
