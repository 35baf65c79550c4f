/// Small JSON documents written directly as text (perf: the autosave answers and stores a few fields each time,
/// and JSONEncoder, with Vapor's content encoding around it, was about 4 % of its time). What it writes is JSON as
/// RFC 8259 defines it; the tests read it back with Foundation's decoder.
public enum JSONText {
    public enum Value: Sendable {
        case string(String?)
        case integer(Int64?)
        case bool(Bool?)
        /// Text that is already JSON (an array or object written with `array` or `object`).
        case json(String)

        public static func int(_ n: Int?) -> Value { .integer(n.map(Int64.init)) }
    }

    /// `{"key":value,…}` in the order given.
    public static func object(_ fields: KeyValuePairs<String, Value>) -> String {
        var out = "{"
        var first = true
        for (key, value) in fields {
            if !first { out += "," }
            first = false
            append(key, to: &out)
            out += ":"
            append(value, to: &out)
        }
        return out + "}"
    }

    /// `[item,…]` of items that are already JSON.
    public static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    /// `["…",…]`
    public static func strings(_ items: [String]) -> String {
        array(items.map { var s = ""; append($0, to: &s); return s })
    }

    static func append(_ value: Value, to out: inout String) {
        switch value {
        case .string(let s?): append(s, to: &out)
        case .integer(let n?): out += String(n)
        case .bool(let b?): out += b ? "true" : "false"
        case .json(let text): out += text
        case .string(nil), .integer(nil), .bool(nil): out += "null"
        }
    }

    /// A string in quotes: the quote, the backslash and the control characters escaped, everything else as it is
    /// (UTF-8), including "/" and the characters beyond U+FFFF. The text is scanned as UTF-8 bytes: every byte that
    /// needs escaping is ASCII, and no byte of a multi-byte character is below 0x80, so the runs between them are
    /// copied whole (perf: appending scalar by scalar was 2.4 % of the machine's time in the autosave benchmark).
    static func append(_ s: String, to out: inout String) {
        out += "\""
        let bytes = s.utf8
        var run = bytes.startIndex
        var i = run
        while i != bytes.endIndex {
            let b = bytes[i]
            let escaped: String
            switch b {
            case 0x22: escaped = "\\\""
            case 0x5C: escaped = "\\\\"
            case 0x0A: escaped = "\\n"
            case 0x0D: escaped = "\\r"
            case 0x09: escaped = "\\t"
            case 0..<0x20:
                let hex = String(b, radix: 16)
                escaped = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                i = bytes.index(after: i)
                continue
            }
            out += s[run..<i]
            out += escaped
            i = bytes.index(after: i)
            run = i
        }
        out += s[run...]
        out += "\""
    }
}
