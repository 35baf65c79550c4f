import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// What the applicant's pages show: one value per template (the officer's and the API's pages reuse some).
enum ApplicationPages {
    struct DashboardPage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let href: String
            let title: String
            let call: String
            let organisation: String
            let status: String
            let reference: String?
            let next: String
            let deadline: String
        }

        struct Notice: Encodable, Sendable {
            let href: String
            let text: String
            let date: String
        }

        let notices: [Notice]
        let rows: [Row]
        let statuses: [FormOption]
        let paging: Paging.View
        let openCallsHref: String
    }

    struct StartPage: Encodable, Sendable {
        let callTitle: String
        let callHref: String
        let choices: [FormOption]
        let ineligible: [String]
        let error: String?
        let hasChoices: Bool
    }

    struct TasksPage: Encodable, Sendable {
        struct Task: Encodable, Sendable {
            let label: String
            let href: String
            let state: String
            let stateLabel: String
            let id: String
        }

        let title: String
        let callTitle: String
        let callHref: String
        let organisation: String
        let status: String
        let reference: String?
        let deadline: String
        let editable: Bool
        let tasks: [Task]
        let done: Int
        let total: Int
        let capText: String?
        let base: String
        let submitted: String?
        let canReopen: Bool
        let canWithdraw: Bool
        let hasReceipt: Bool
        /// COM-15: what the officer asked for, while the file is incomplete.
        let request: String?
        let requestDue: String?
        /// COM-17: the decision the applicant reads.
        let granted: String?
        let reasons: String?
        let letters: [Letter]

        struct Letter: Encodable, Sendable {
            let href: String
            let label: String
            let isNew: Bool
        }
    }

    struct SectionPage: Encodable, Sendable {
        struct Answer: Encodable, Sendable {
            let label: String
            let value: String
        }

        let heading: String
        let caption: String
        let back: String
        let form: FormView
        let version: String
        let conflict: Bool
        /// The version someone else saved, shown beside what this person typed.
        let theirs: [Answer]
        let autosave: String?
        let readOnly: Bool
        let intro: String?
    }

    struct CheckPage: Encodable, Sendable {
        struct Result: Encodable, Sendable {
            let ruleID: String
            let outcome: String
            let outcomeLabel: String
            let message: String
            let source: String
        }

        let heading: String
        let intro: String
        let back: String
        let results: [Result]
        let failed: Int
        let warnings: Int
        let capText: String?
        let blocked: Bool
    }

    struct ReviewPage: Encodable, Sendable {
        struct Group: Encodable, Sendable {
            let heading: String
            let change: String?
            let answers: [SectionPage.Answer]
        }

        let heading: String
        let back: String
        let groups: [Group]
        let canSubmit: Bool
        let action: String
        let blockedCount: Int
        let checkHref: String
        let pdfHref: String
    }

    struct ReceiptPage: Encodable, Sendable {
        struct Doc: Encodable, Sendable {
            let label: String
            let received: Bool
        }

        let reference: String
        let submittedAt: String
        let title: String
        let callTitle: String
        let contact: String
        let documents: [Doc]
        let sha256: String
        let pdfHref: String
        let back: String
        let version: Int
        let missingCount: Int
        let canReopen: Bool
        let reopenHref: String
    }
}
