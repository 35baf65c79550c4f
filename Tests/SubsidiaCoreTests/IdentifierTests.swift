import Testing
@testable import SubsidiaCore

@Suite("Identifiers: IBAN, BIC, postcode, RCS (COM-22)")
struct IdentifierTests {
    @Test("IBAN: Luxembourg example is valid with spaces and lower case")
    func ibanValid() throws {
        #expect(try IBAN("LU28 0019 4006 4475 0000").value == "LU280019400644750000")
        #expect(try IBAN("lu28 0019 4006 4475 0000").formatted == "LU28 0019 4006 4475 0000")
        #expect(try IBAN("DE89 3704 0044 0532 0130 00").country == "DE")
        #expect(try IBAN("BE71 0961 2345 6769").value == "BE71096123456769")
    }

    @Test("IBAN: wrong checksum, length, country and characters are told apart")
    func ibanInvalid() {
        #expect(throws: IBAN.Problem.checksum) { try IBAN("LU29 0019 4006 4475 0000") }
        #expect(throws: IBAN.Problem.wrongLength) { try IBAN("LU28 0019 4006 4475 000") }
        #expect(throws: IBAN.Problem.unknownCountry) { try IBAN("ZZ28 0019 4006 4475 0000") }
        #expect(throws: IBAN.Problem.invalidCharacters) { try IBAN("LU28 0019 4006 4475 00€0") }
        #expect(throws: IBAN.Problem.empty) { try IBAN("   ") }
    }

    @Test("BIC: 8 or 11 characters, six letters first")
    func bic() throws {
        #expect(try BIC("bcee lull").value == "BCEELULL")
        #expect(try BIC("BGLLLULLXXX").country == "LU")
        #expect(throws: BIC.Problem.wrongLength) { try BIC("BCEELUL") }
        #expect(throws: BIC.Problem.invalidFormat) { try BIC("BC3ELULL") }
    }

    @Test("Postcode: L-1234 in all its spellings, nothing else")
    func postcode() {
        #expect(LuxembourgPostcode("1234")?.description == "L-1234")
        #expect(LuxembourgPostcode("l-1234")?.description == "L-1234")
        #expect(LuxembourgPostcode("L 1234")?.description == "L-1234")
        #expect(LuxembourgPostcode("L-123") == nil)
        #expect(LuxembourgPostcode("12345") == nil)
        #expect(LuxembourgPostcode("L-12a4") == nil)
    }

    @Test("RCS: one letter A–J and 1 to 7 digits")
    func rcs() {
        #expect(RCSNumber("B 6481")?.value == "B6481")
        #expect(RCSNumber("R.C.S. Luxembourg B 6481")?.value == "B6481")
        #expect(RCSNumber("f13189")?.value == "F13189")
        #expect(RCSNumber("K123") == nil)
        #expect(RCSNumber("B12345678") == nil)
        #expect(RCSNumber("B") == nil)
    }

    @Test("Email, phone and website checks")
    func text() {
        #expect(TextRules.isEmail("a.b@commune.lu"))
        #expect(!TextRules.isEmail("a b@commune.lu"))
        #expect(!TextRules.isEmail("ab@commune"))
        #expect(TextRules.isPhone("+352 247-85795"))
        #expect(!TextRules.isPhone("12"))
        #expect(TextRules.normalisedWebsite("www.commune.lu") == "https://www.commune.lu")
        #expect(TextRules.normalisedWebsite("not a site") == nil)
    }
}

@Suite("Money and rates")
struct MoneyTests {
    @Test("Parsing what people type", arguments: [
        ("1 234,56", 123_456), ("1234.56", 123_456), ("1.234,56 €", 123_456), ("€1,234.56", 123_456),
        ("250", 25_000), ("0,5", 50), ("100000", 10_000_000), ("1.234", 123_400),
    ])
    func parse(text: String, cents: Int64) {
        #expect(Money.parse(text)?.cents == cents)
    }

    @Test("Refusing what is not an amount", arguments: ["", "abc", "-5", "1,234,5678", "12.34.56", "1,2345"])
    func refuse(text: String) {
        #expect(Money.parse(text) == nil)
    }

    @Test("Formatting per language")
    func format() {
        let m = Money(cents: 123_456_789)
        #expect(MoneyFormatter.format(m, language: .fr) == "1\u{202F}234\u{202F}567,89\u{00A0}€")
        #expect(MoneyFormatter.format(m, language: .de) == "1.234.567,89\u{00A0}€")
        #expect(MoneyFormatter.format(m, language: .en) == "€1,234,567.89")
        #expect(MoneyFormatter.format(Money(euros: 3_000_000), language: .en) == "€3,000,000")
        #expect(MoneyFormatter.percent(Rate(percent: 75), language: .fr) == "75\u{00A0}%")
        #expect(MoneyFormatter.plainDecimal(Money(euros: 3_000_000)) == "3000000.00")
        #expect(MoneyFormatter.plainDecimal(Money(cents: 105)) == "1.05")
    }

    @Test("COM-07: a rate of an amount rounds down to the cent")
    func rate() {
        #expect(Money(cents: 10_001).applying(Rate(percent: 75)).cents == 7_500)
        #expect(Money(euros: 100_000).applying(Rate(percent: 75)) == Money(euros: 75_000))
        #expect(Rate.parsePercent("75 %")?.basisPoints == 7_500)
        #expect(Rate.parsePercent("90,5")?.basisPoints == 9_050)
        #expect(Rate.parsePercent("abc") == nil)
        #expect(Rate(basisPoints: 10_001).isValidShare == false)
    }

    @Test("Accept-Language picks the best supported language")
    func negotiate() {
        #expect(Language.negotiate(acceptLanguage: "de-LU,de;q=0.9,en;q=0.8") == .de)
        #expect(Language.negotiate(acceptLanguage: "lb,en;q=0.5") == .en)
        #expect(Language.negotiate(acceptLanguage: "lb") == nil)
        #expect(Language.negotiate(acceptLanguage: nil) == nil)
    }
}
