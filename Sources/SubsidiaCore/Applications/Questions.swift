import Foundation

/// The kind of answer a question takes; each is stored in its own typed column, so exports read it.
public enum QuestionType: String, CaseIterable, Sendable, Codable {
    case text
    case textarea
    case integer
    case date
    case yesNo = "yes_no"
    /// One or more of the call's priority themes (COM-05); stored as their codes.
    case themes
    /// None, or one of the call's category caps (COM-08); stored as the cap's code.
    case capCategory = "cap_category"
    /// One of the call's actions (AMIF-02); stored as the action's code.
    case action
}

/// A question of a call's form: data attached to the call, never code (COM-22, AMIF-06).
public struct Question: Sendable, Equatable, Codable {
    public var code: String
    public var section: ApplicationSection
    public var type: QuestionType
    public var required: Bool
    public var label: Localized
    public var hint: Localized?
    /// Characters (text) or the upper bound (integer).
    public var maxLength: Int
    public var maxLines: Int?
    public var minValue: Int?
    public var maxValue: Int?
    /// Required only when this yes/no question is answered yes ("Si oui, lesquels ?").
    public var requiredIfYes: String?

    public init(
        _ code: String, _ section: ApplicationSection, _ type: QuestionType, required: Bool = true, label: Localized,
        hint: Localized? = nil, maxLength: Int = 4_000, maxLines: Int? = nil, minValue: Int? = nil, maxValue: Int? = nil,
        requiredIfYes: String? = nil
    ) {
        self.code = code
        self.section = section
        self.type = type
        self.required = required
        self.label = label
        self.hint = hint
        self.maxLength = maxLength
        self.maxLines = maxLines
        self.minValue = minValue
        self.maxValue = maxValue
        self.requiredIfYes = requiredIfYes
    }
}

/// A typed answer.
public enum AnswerValue: Sendable, Equatable {
    case text(String)
    case integer(Int)
    case date(CalendarDate)
    case bool(Bool)
    case codes([String])

    public var isEmpty: Bool {
        switch self {
        case .text(let s): s.isEmpty
        case .codes(let c): c.isEmpty
        default: false
        }
    }
}

/// Why an answer was refused; the key is a catalogue key, the args fill it.
public struct AnswerProblem: Error, Sendable, Equatable {
    public let key: String
    public let args: [String]
    public init(_ key: String, _ args: [String] = []) {
        self.key = key
        self.args = args
    }
}

extension Question {
    /// Reads what a person typed. Returns nil for an empty optional answer; throws with the message to
    /// show beside the field. `allowed` lists the codes a themes or cap question accepts.
    public func parse(_ raw: [String], allowed: [String] = [], otherAnswers: [String: AnswerValue] = [:]) throws(AnswerProblem) -> AnswerValue? {
        let first = (raw.first ?? "").trimmingWhitespace
        let isRequired = required || requiredIfYes.map { otherAnswers[$0] == .bool(true) } == true
        switch type {
        case .text, .textarea:
            // Line ends typed in a browser arrive as CRLF; one line end is one line.
            let text = first.withUnixLineEnds
            if text.isEmpty {
                if isRequired { throw AnswerProblem("error.required") }
                return nil
            }
            if text.count > maxLength { throw AnswerProblem("error.too_long", [String(maxLength)]) }
            if type == .text && text.contains("\n") { throw AnswerProblem("error.one_line") }
            if let maxLines, Question.lineCount(text) > maxLines {
                throw AnswerProblem("error.too_many_lines", [String(maxLines), String(Question.lineCount(text))])
            }
            return .text(text)
        case .integer:
            if first.isEmpty {
                if isRequired { throw AnswerProblem("error.required") }
                return nil
            }
            let digits = first.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\u{202F}", with: "")
                .replacingOccurrences(of: "\u{00A0}", with: "")
            guard digits.count <= 9, digits.allSatisfy(\.isNumber), let n = Int(digits) else {
                throw AnswerProblem("error.whole_number")
            }
            if let minValue, n < minValue { throw AnswerProblem("error.number_min", [String(minValue)]) }
            if let maxValue, n > maxValue { throw AnswerProblem("error.number_max", [String(maxValue)]) }
            return .integer(n)
        case .date:
            if first.isEmpty {
                if isRequired { throw AnswerProblem("error.required") }
                return nil
            }
            guard let d = CalendarDate(iso: first) else { throw AnswerProblem("error.date") }
            return .date(d)
        case .yesNo:
            switch first {
            case "yes": return .bool(true)
            case "no": return .bool(false)
            case "": if isRequired { throw AnswerProblem("error.choose") } else { return nil }
            default: throw AnswerProblem("error.choose")
            }
        case .themes:
            let codes = raw.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard codes.allSatisfy(allowed.contains) else { throw AnswerProblem("error.choose") }
            if codes.isEmpty {
                if isRequired { throw AnswerProblem("error.choose") }
                return nil
            }
            return .codes(allowed.filter(codes.contains))
        case .action:
            if first.isEmpty {
                if isRequired { throw AnswerProblem("error.choose") }
                return nil
            }
            guard allowed.contains(first) else { throw AnswerProblem("error.choose") }
            return .codes([first])
        case .capCategory:
            if first.isEmpty || first == "none" {
                if first.isEmpty && isRequired { throw AnswerProblem("error.choose") }
                return first == "none" ? .codes([]) : nil
            }
            guard allowed.contains(first) else { throw AnswerProblem("error.choose") }
            return .codes([first])
        }
    }

    /// Lines as a reader counts them: a line end starts a new line; blank lines count.
    public static func lineCount(_ text: String) -> Int {
        text.isEmpty ? 0 : text.withUnixLineEnds.split(separator: "\n", omittingEmptySubsequences: false).count
    }

    /// Whether this question still needs an answer, given the answers so far.
    public func isMissing(in answers: [String: AnswerValue]) -> Bool {
        let isRequired = required || requiredIfYes.map { answers[$0] == .bool(true) } == true
        guard isRequired else { return false }
        guard let a = answers[code] else { return true }
        // "None" is an answer to the festival question.
        if type == .capCategory { return false }
        return a.isEmpty
    }
}

/// The state of a question section, from its answers.
public enum SectionProgress {
    public static func state(of questions: [Question], answers: [String: AnswerValue]) -> SectionState {
        let answered = questions.filter { answers[$0.code] != nil }
        if answered.isEmpty { return questions.isEmpty ? .completed : .notStarted }
        return questions.contains { $0.isMissing(in: answers) } ? .inProgress : .completed
    }
}
