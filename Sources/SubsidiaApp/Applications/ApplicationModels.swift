import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// A question of a call's form, stored as data of the call (COM-22, AMIF-06).
final class CallQuestion: Model, @unchecked Sendable {
    static let schema = "call_questions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "call_id") var call: Call
    @Field(key: "code") var code: String
    @Field(key: "section") var section: String
    @Field(key: "type") var type: String
    @Field(key: "required") var required: Bool
    @Field(key: "position") var position: Int
    @Field(key: "label_fr") var labelFr: String
    @Field(key: "label_en") var labelEn: String
    @Field(key: "label_de") var labelDe: String
    @OptionalField(key: "hint_fr") var hintFr: String?
    @OptionalField(key: "hint_en") var hintEn: String?
    @OptionalField(key: "hint_de") var hintDe: String?
    @Field(key: "max_length") var maxLength: Int
    @OptionalField(key: "max_lines") var maxLines: Int?
    @OptionalField(key: "min_value") var minValue: Int?
    @OptionalField(key: "max_value") var maxValue: Int?
    @OptionalField(key: "required_if_yes") var requiredIfYes: String?

    init() {}

    init(callID: UUID, question q: Question, position: Int) {
        $call.id = callID
        code = q.code
        section = q.section.rawValue
        type = q.type.rawValue
        required = q.required
        self.position = position
        labelFr = q.label.fr; labelEn = q.label.en; labelDe = q.label.de
        hintFr = q.hint?.fr; hintEn = q.hint?.en; hintDe = q.hint?.de
        maxLength = q.maxLength
        maxLines = q.maxLines
        minValue = q.minValue
        maxValue = q.maxValue
        requiredIfYes = q.requiredIfYes
    }

    var question: Question {
        Question(code, ApplicationSection(rawValue: section) ?? .project, QuestionType(rawValue: type) ?? .text, required: required,
                 label: Localized(fr: labelFr, en: labelEn, de: labelDe),
                 hint: hintFr.map { Localized(fr: $0, en: hintEn ?? "", de: hintDe ?? "") },
                 maxLength: maxLength, maxLines: maxLines, minValue: minValue, maxValue: maxValue, requiredIfYes: requiredIfYes)
    }

    /// Gives a call the standard questions of its rule set, once.
    static func ensure(for call: Call, on tx: StoreTransaction) async throws {
        let id = try call.requireID()
        guard try await tx.query(CallQuestion.self).filter(\.$call.$id == id).count() == 0 else { return }
        for (i, q) in StandardQuestions.questions(for: call.rules).enumerated() {
            try await tx.create(CallQuestion(callID: id, question: q, position: i + 1))
        }
        try await CallCache.touch(id, on: tx)
    }
}

/// An organisation's application to a call. The applicant's details are copied from the organisation
/// profile when the application starts and can be changed for this application only.
final class GrantApplication: Model, @unchecked Sendable {
    static let schema = "applications"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Parent(key: "call_id") var call: Call
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "status") var status: String
    @OptionalField(key: "reference") var reference: String?
    @Field(key: "title") var title: String
    @OptionalField(key: "project_start") var projectStart: String?
    @OptionalField(key: "project_end") var projectEnd: String?
    @OptionalField(key: "action_code") var actionCode: String?
    @OptionalField(key: "festival_code") var festivalCode: String?
    @OptionalField(key: "requested_cents") var requestedCents: Int64?
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @Field(key: "submission_count") var submissionCount: Int
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?
    /// Set by a decision (issue 4); what is granted counts against the action's envelope (AMIF-02).
    @OptionalField(key: "granted_cents") var grantedCents: Int64?
    @OptionalField(key: "decision_reasons") var decisionReasons: String?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    /// The officer's consolidated assessment (COM-10) and the mean of the evaluators' totals.
    @OptionalField(key: "assessment") var assessment: String?
    @OptionalField(key: "score_hundredths") var scoreHundredths: Int?

    @Field(key: "legal_name") var legalName: String
    @Field(key: "legal_form") var legalForm: String
    @Field(key: "street") var street: String
    @Field(key: "postcode") var postcode: String
    @Field(key: "locality") var locality: String
    @Field(key: "country") var country: String
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "website") var website: String?
    @OptionalField(key: "bank_holder") var bankHolder: String?
    @OptionalField(key: "iban") var iban: String?
    @OptionalField(key: "bic") var bic: String?
    @Field(key: "contact1_name") var contact1Name: String
    @Field(key: "contact1_function") var contact1Function: String
    @Field(key: "contact1_phone") var contact1Phone: String
    @Field(key: "contact1_email") var contact1Email: String
    @OptionalField(key: "contact1_address") var contact1Address: String?
    @OptionalField(key: "contact2_name") var contact2Name: String?
    @OptionalField(key: "contact2_function") var contact2Function: String?
    @OptionalField(key: "contact2_phone") var contact2Phone: String?
    @OptionalField(key: "contact2_email") var contact2Email: String?
    @OptionalField(key: "contact2_address") var contact2Address: String?
    /// COM-02: the applicant's budget has a revenue article.
    @OptionalField(key: "revenue_article") var revenueArticle: Bool?
    /// The applicant section was checked and saved by the applicant.
    @Field(key: "applicant_confirmed") var applicantConfirmed: Bool

    // COM-11: the declaration, confirmed by a member with the signatory flag.
    @OptionalField(key: "declaration_name") var declarationName: String?
    @OptionalField(key: "declaration_function") var declarationFunction: String?
    @OptionalField(key: "declaration_place") var declarationPlace: String?
    @OptionalField(key: "declaration_date") var declarationDate: String?
    @OptionalField(key: "declared_by") var declaredBy: UUID?
    @OptionalField(key: "declared_at") var declaredAt: Date?
    /// One more at every change of the content (M013's triggers keep it; nobody writes it): a submission records
    /// itself only if it is still the one its snapshot was built from.
    @OptionalField(key: "content_version") var contentVersion: Int64?

    /// Every property, in declaration order, written out: Fluent otherwise finds them by reflection on each load and
    /// save (perf: a tenth of a submission's time). A test compares this list with what reflection finds.
    var properties: [any AnyProperty] {
        [$id, $createdAt, $updatedAt, $call, $organisation, $createdBy, $status, $reference, $title, $projectStart,
         $projectEnd, $actionCode, $festivalCode, $requestedCents, $submittedAt, $submissionCount, $withdrawnAt,
         $grantedCents, $decisionReasons, $decidedAt, $assessment, $scoreHundredths, $legalName, $legalForm, $street,
         $postcode, $locality, $country, $phone, $website, $bankHolder, $iban, $bic, $contact1Name, $contact1Function,
         $contact1Phone, $contact1Email, $contact1Address, $contact2Name, $contact2Function, $contact2Phone,
         $contact2Email, $contact2Address, $revenueArticle, $applicantConfirmed, $declarationName, $declarationFunction,
         $declarationPlace, $declarationDate, $declaredBy, $declaredAt, $contentVersion]
    }

    init() {}

    /// An unknown status (written by a newer version) reads as closed: never editable, no event starts from it.
    var applicationStatus: ApplicationStatus { ApplicationStatus(rawValue: status) ?? .closed }
    var requested: Money? { requestedCents.map(Money.init(cents:)) }
    var projectPeriodStart: CalendarDate? { projectStart.flatMap(CalendarDate.init(iso:)) }
    var projectPeriodEnd: CalendarDate? { projectEnd.flatMap(CalendarDate.init(iso:)) }
}

/// Per-section version (optimistic locking) and the applicant's "I have completed this section".
final class ApplicationSectionRecord: Model, @unchecked Sendable {
    static let schema = "application_sections"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "section") var section: String
    @Field(key: "version") var version: Int
    @Field(key: "marked_complete") var markedComplete: Bool

    init() {}
    init(applicationID: UUID, section: ApplicationSection) {
        $application.id = applicationID
        self.section = section.rawValue
        version = 1
        markedComplete = false
    }
}

/// A typed answer: exactly one value column is set, according to the question's type.
final class ApplicationAnswer: Model, @unchecked Sendable {
    static let schema = "application_answers"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "question_code") var questionCode: String
    @OptionalField(key: "text_value") var textValue: String?
    @OptionalField(key: "int_value") var intValue: Int64?
    @OptionalField(key: "date_value") var dateValue: String?
    @OptionalField(key: "bool_value") var boolValue: Bool?

    init() {}

    func set(_ value: AnswerValue) {
        let c = ApplicationOperations.AnswerColumns(value)
        textValue = c.text; intValue = c.integer; dateValue = c.date; boolValue = c.bool
    }
}

final class ExpenseLineRecord: Model, @unchecked Sendable {
    static let schema = "expense_lines"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "position") var position: Int
    @Field(key: "category") var category: Int
    @Field(key: "detail") var detail: String
    @Field(key: "justification") var justification: String
    @Field(key: "quantity") var quantity: Int
    @Field(key: "unit_cost_cents") var unitCostCents: Int64
    @Field(key: "function") var function: String
    @Field(key: "headcount") var headcount: Int
    @Field(key: "share_bp") var shareBP: Int
    @Field(key: "running_cost") var runningCost: Bool
    @Field(key: "private_car") var privateCar: Bool
    /// Computed by SubsidiaCore on save and kept for exports; never typed by anyone.
    @Field(key: "amount_cents") var amountCents: Int64

    /// Written out, as `GrantApplication.properties` is.
    var properties: [any AnyProperty] {
        [$id, $application, $position, $category, $detail, $justification, $quantity, $unitCostCents, $function,
         $headcount, $shareBP, $runningCost, $privateCar, $amountCents]
    }

    init() {}

    var line: ExpenseLine {
        ExpenseLine(category: ExpenseCategory(rawValue: category) ?? .other, detail: detail, justification: justification,
                    quantity: quantity, unitCost: Money(cents: unitCostCents), function: function, headcount: headcount,
                    share: Rate(basisPoints: shareBP), runningCost: runningCost, privateCar: privateCar)
    }

    func set(_ l: ExpenseLine, kilometreRate: Money) {
        category = l.category.rawValue
        detail = l.detail
        justification = l.justification
        quantity = l.quantity
        unitCostCents = l.unitCost.cents
        function = l.function
        headcount = l.headcount
        shareBP = l.share.basisPoints
        runningCost = l.runningCost
        privateCar = l.privateCar
        // Lines are saved only once `problems()` found nothing, which includes an amount out of range.
        amountCents = l.amount(kilometreRate: kilometreRate)?.cents ?? 0
    }
}

final class RevenueLineRecord: Model, @unchecked Sendable {
    static let schema = "revenue_lines"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "position") var position: Int
    @Field(key: "kind") var kind: String
    @Field(key: "source") var source: String
    @Field(key: "detail") var detail: String
    @Field(key: "amount_cents") var amountCents: Int64
    @Field(key: "loan_linked") var loanLinked: Bool

    /// Written out, as `GrantApplication.properties` is.
    var properties: [any AnyProperty] {
        [$id, $application, $position, $kind, $source, $detail, $amountCents, $loanLinked]
    }

    init() {}

    var line: RevenueLine {
        RevenueLine(kind: RevenueKind(rawValue: kind) ?? .ownResources, source: source, detail: detail,
                    amount: Money(cents: amountCents), loanLinkedToProject: loanLinked)
    }

    func set(_ l: RevenueLine) {
        kind = l.kind.rawValue
        source = l.source
        detail = l.detail
        amountCents = l.amount.cents
        loanLinked = l.loanLinkedToProject
    }
}

/// Projects for which the applicant received a subsidy in earlier years (Annex 1).
final class PreviousSubsidy: Model, @unchecked Sendable {
    static let schema = "previous_subsidies"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "project_name") var projectName: String
    @Field(key: "year") var year: Int
    @Field(key: "granted") var granted: Bool

    init() {}
}

/// An uploaded document (COM-14, AMIF-07), stored in the database with its SHA-256.
final class ApplicationDocument: Model, @unchecked Sendable {
    static let schema = "application_documents"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @OptionalField(key: "item_code") var itemCode: String?
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size_bytes") var sizeBytes: Int64
    @Field(key: "sha256") var sha256: String
    @Field(key: "content") var content: Data
    @Field(key: "uploaded_by") var uploadedBy: UUID
    @Field(key: "uploaded_at") var uploadedAt: Date

    init() {}
}

/// One submitted version: what was sent, when, by whom, its fingerprint and the receipt given.
final class ApplicationSubmission: Model, @unchecked Sendable {
    static let schema = "application_submissions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "number") var number: Int
    @Field(key: "submitted_at") var submittedAt: Date
    @Field(key: "submitted_by") var submittedBy: UUID
    @Field(key: "content_sha256") var contentSHA256: String
    @Field(key: "snapshot") var snapshot: String
    @Field(key: "receipt_pdf") var receiptPDF: Data

    init() {}
}
