import Foundation
import PropertyBased
import Testing
@testable import SubsidiaCore

/// Inputs at and past every bound: money arithmetic, budget lines and caps never trap (issue 18).
@Suite("Hostile input")
struct HostileInputTests {
    static let categories = ExpenseCategory.allCases

    /// Every computation a page makes from a budget: a trap here took the whole server down.
    static func everything(_ lines: [ExpenseLine], _ revenues: [RevenueLine], rate: Money, maxRate: Rate) -> BudgetSummary {
        for line in lines { _ = line.problems(kilometreRate: rate) }
        for r in revenues { _ = r.problems() }
        let summary = BudgetSummary(expenses: lines, revenues: revenues, kilometreRate: rate)
        for ruleSet in [RuleSet.communes, .amif] {
            let cap = FundingCap.compute(ruleSet: ruleSet, eligibleTotal: summary.eligibleTotal, maxAmount: Money.inputMaximum,
                                         maxRate: maxRate, category: ("F", Money(cents: .max)),
                                         action: ("A", maxRate, Money(cents: .min)), globalRemaining: Money(cents: .max))
            _ = cap.binding
            _ = cap.allows(summary.totalExpenses)
        }
        _ = Rate.share(summary.totalExpenses, of: summary.eligibleTotal)
        _ = Rate.share(Money(cents: .max), of: Money(cents: 1))
        return summary
    }

    @Test("COM-23: the issue's line (100,000,000 € × 1,000,000 × 10,000 people) is an error on the field, not a trap")
    func issueLines() {
        let personnel = ExpenseLine(category: .personnel, detail: "x", quantity: 1_000_000, unitCost: Money.inputMaximum,
                                    function: "f", headcount: 10_000)
        #expect(personnel.amount(kilometreRate: ExpenseLine.communesKilometreRate) == nil)
        #expect(personnel.problems().contains { $0.field == "unit_cost" && $0.key == "error.budget.line_too_large" })
        let rental = ExpenseLine(category: .propertyRental, detail: "x", justification: "j", quantity: 1_000_000,
                                 unitCost: Money.inputMaximum)
        #expect(rental.amount(kilometreRate: .zero) == nil)
        let travel = ExpenseLine(category: .travel, detail: "x", quantity: 1_000_000, unitCost: Money.inputMaximum)
        let summary = Self.everything([travel, rental, personnel], [], rate: ExpenseLine.communesKilometreRate, maxRate: Rate(percent: 100))
        #expect(summary.outOfRange)
        #expect(summary.totalExpenses == .zero)
        // The passing case: a line at the bound is summed, and so is the cap on it.
        let ok = ExpenseLine(category: .equipment, detail: "x", justification: "j", quantity: 1, unitCost: Money.inputMaximum)
        #expect(ok.problems().isEmpty)
        let s = Self.everything([ok], [], rate: .zero, maxRate: Rate(percent: 75))
        #expect(!s.outOfRange && s.totalExpenses == Money.inputMaximum)
        #expect(s.eligibleTotal.applying(Rate(percent: 75)) == Money(euros: 75_000_000))
    }

    @Test("COM-23: a stored row past every bound (from before the checks) is out of range in the check, never a trap")
    func storedRows() {
        let bounds: [Int64] = [.min, -1, 0, 1, Money.inputMaximum.cents, Money.inputMaximum.cents + 1, .max]
        let counts: [Int] = [.min, -1, 0, 1, 1_000_000, 1_000_001, .max]
        let shares: [Int] = [.min, -1, 0, 10_000, 10_001, .max]
        for cents in bounds {
            for n in counts {
                for bp in shares {
                    let lines = Self.categories.map {
                        ExpenseLine(category: $0, detail: "d", justification: "j", quantity: n, unitCost: Money(cents: cents),
                                    function: "f", headcount: n, share: Rate(basisPoints: bp), privateCar: $0 == .travel)
                    }
                    let revenues = RevenueKind.allCases.map { RevenueLine(kind: $0, source: "s", detail: "d", amount: Money(cents: cents)) }
                    let s = Self.everything(lines, revenues, rate: Money(cents: cents), maxRate: Rate(basisPoints: bp))
                    #expect(s.totalExpenses.cents >= 0 && s.totalExpenses <= Money(cents: Money.inputMaximum.cents * 8))
                }
            }
        }
    }

    @Test("Money: sums and shares never trap, and a share of 0–100 % is exact for every amount")
    func moneyArithmetic() async {
        await propertyCheck(count: 2_000, input: Gen.int64(in: .min ... .max), Gen.int64(in: .min ... .max), Gen.int(in: -20_000...20_000)) { a, b, bp in
            let x = Money(cents: a), y = Money(cents: b)
            _ = x + y
            _ = x - y
            if let s = x.adding(y) { #expect(s.cents == a &+ b) }
            let share = x.applying(Rate(basisPoints: bp))
            let clamped = Int64(min(max(bp, 0), 10_000))
            // The exact share, rounded toward zero, computed in 128 bits.
            let exact = Int128(a) * Int128(clamped) / 10_000
            #expect(Int128(share.cents) == exact)
            _ = Rate.share(x, of: y)
        }
    }

    @Test("Budget lines: any quantity, headcount, unit cost and share give an amount in 0…100 M€ or an error")
    func budgetLines() async {
        await propertyCheck(count: 2_000, input: Gen.int(in: .min ... .max), Gen.int64(in: .min ... .max), Gen.int(in: .min ... .max),
                            Gen.int(in: -1 ... 20_000), Gen.int(in: 0...7)) { n, cents, people, bp, cat in
            let line = ExpenseLine(category: Self.categories[cat], detail: "d", justification: "j", quantity: n,
                                   unitCost: Money(cents: cents), function: "f", headcount: people, share: Rate(basisPoints: bp))
            if let amount = line.amount(kilometreRate: ExpenseLine.communesKilometreRate) {
                #expect(amount >= .zero && amount <= Money.inputMaximum)
            } else {
                #expect(!line.problems().isEmpty)
            }
            _ = Self.everything([line, line, line], [], rate: ExpenseLine.communesKilometreRate, maxRate: Rate(basisPoints: bp))
        }
    }

    @Test("Redirect targets: a path of this site only, whatever is written in `next`")
    func localPaths() {
        for good in ["/", "/applications", "/applications/12?page=2&q=a%20b", "/calls/COM-2027#top"] {
            #expect(LocalPath.safe(good) == good)
        }
        for bad in [nil, "", "https://evil.example/", "//evil.example/", "/\\evil.example", "/\t/evil.example/", "/%0d%0a",
                    "/\r\nSet-Cookie: subsidia_session=x", "/\r\n\r\n<script>", "/\n/evil", "/ /evil", "/é", "evil",
                    "/\u{0}", "/\u{7F}", String(repeating: "/a", count: 300), "\\/evil.example"] as [String?] {
            let out = LocalPath.safe(bad)
            // "/%0d%0a" is three printable characters and stays (it is no line break once in the header).
            #expect(out == "/" || out == bad && bad == "/%0d%0a", "\(String(describing: bad))")
            #expect(!out.contains(where: { $0.isNewline || $0 == "\t" || $0 == "\\" }))
        }
    }

    @Test("Text fields: NUL and other control characters are refused; tab and new lines pass")
    func controlCharacters() {
        #expect(!TextRules.hasControlCharacters("Ligne 1\nLigne 2\r\n\tfin – é €"))
        for bad in ["a\u{0}b", "\u{1B}[31m", "x\u{7F}", "\u{85}", "\u{8}"] { #expect(TextRules.hasControlCharacters(bad), "\(bad.debugDescription)") }
    }

    @Test("Client address: X-Forwarded-For counts only from a trusted proxy")
    func clientAddress() {
        #expect(ClientAddress.resolve(peer: "203.0.113.9", forwardedFor: ["10.0.0.1"], trustedProxies: []) == "203.0.113.9")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["198.51.100.7"], trustedProxies: ["127.0.0.1"]) == "198.51.100.7")
        // A client's own header is before the proxy's: the last untrusted hop is the client.
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["6.6.6.6, 198.51.100.7"], trustedProxies: ["127.0.0.1"]) == "198.51.100.7")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["not an address"], trustedProxies: ["127.0.0.1"]) == "127.0.0.1")
        #expect(ClientAddress.isIPAddress("2001:db8::1") && !ClientAddress.isIPAddress("256.1.1.1"))
    }
}

@Suite("Uploads")
struct UploadTests {
    /// A ZIP of stored entries with the given names (contents empty), as a person's archive would be laid out.
    static func zip(_ names: [String], first: (name: String, data: [UInt8])? = nil) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16 & 0xFFFF) }
        var entries = names.map { ($0, [UInt8]()) }
        if let first { entries.insert((first.name, first.data), at: 0) }
        for (name, data) in entries {
            let offset = out.count
            let n = Array(name.utf8)
            out += [0x50, 0x4B, 0x03, 0x04] + le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(data.count)
                + le32(data.count) + le16(n.count) + le16(0) + n + data
            central += [0x50, 0x4B, 0x01, 0x02] + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
                + le32(data.count) + le32(data.count) + le16(n.count) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
                + le32(offset) + n
        }
        let start = out.count
        out += central
        out += [0x50, 0x4B, 0x05, 0x06] + le16(0) + le16(0) + le16(entries.count) + le16(entries.count) + le32(central.count)
            + le32(start) + le16(0)
        return out
    }

    static let docx = zip(["[Content_Types].xml", "_rels/.rels", "word/document.xml"])

    @Test("COM-14: a DOCX needs its parts; a JAR with a word/ folder is refused, whatever its name")
    func officeFiles() throws {
        #expect(DocumentType.detect(Self.docx) == .docx)
        #expect(DocumentType.detect(Self.zip(["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"])) == .xlsx)
        #expect(DocumentType.detect(Self.zip(["word/"])) == nil)
        let jar = Self.zip(["META-INF/MANIFEST.MF", "[Content_Types].xml", "_rels/.rels", "word/document.xml", "Evil.class"])
        #expect(DocumentType.detect(jar) == nil)
        #expect(throws: UploadRules.Refusal.wrongType) {
            try UploadRules.check(filename: "budget\u{202E}xcod.jar", bytes: jar, limitBytes: 1 << 20, existingNames: [])
        }
        let odt = Self.zip(["content.xml"], first: ("mimetype", Array("application/vnd.oasis.opendocument.text".utf8)))
        #expect(DocumentType.detect(odt) == .odt)
        // Damaged archives: cut anywhere, they are refused, never a trap.
        for cut in stride(from: 0, to: Self.docx.count, by: 3) { _ = DocumentType.detect(Array(Self.docx.prefix(cut))) }
    }

    @Test("COM-14: the name's extension must say what the content is; names lose paths, controls and bidi overrides")
    func extensions() throws {
        let pdf = Array("%PDF-1.4\n".utf8)
        #expect(try UploadRules.check(filename: "rib.pdf", bytes: pdf, limitBytes: 100, existingNames: []).type == .pdf)
        #expect(throws: UploadRules.Refusal.extensionMismatch(.pdf)) {
            try UploadRules.check(filename: "rib.docx", bytes: pdf, limitBytes: 100, existingNames: [])
        }
        #expect(throws: UploadRules.Refusal.extensionMismatch(.docx)) {
            try UploadRules.check(filename: "statuts", bytes: Self.docx, limitBytes: 1 << 20, existingNames: [])
        }
        #expect(UploadRules.cleanName("C:\\Users\\x\\fac\u{202E}fdp.exe") == "facfdp.exe")
        #expect(UploadRules.cleanName("../../etc/pass\u{0}wd.pdf") == "passwd.pdf")
        #expect(UploadRules.cleanName("re\u{301}sume\u{200B}.pdf") == "résume.pdf")
    }
}
