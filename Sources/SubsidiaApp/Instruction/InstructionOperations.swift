import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// What the officer's steps, the decisions and the call's pages share: the grant's proposal, the applicant's
/// notification, the score as text.
enum InstructionOperations {
    /// The maximum that can be granted now, with what the call's decisions have already committed.
    static func proposal(_ bundle: ApplicationBundle, on store: any StoreReading) async throws -> GrantProposal {
        let committed = try await ApplicationBundle.committed(call: bundle.call.call.storedID, action: bundle.application.actionCode,
                                                             excluding: bundle.application.storedID, on: store)
        return GrantProposal(cap: bundle.cap(committed: committed), requested: bundle.application.requested ?? .zero)
    }

    /// A message to the applicant organisation's first contact and its members, by mail (outbox).
    /// `args` gives the body's values in each recipient's language (dates and amounts are written per language).
    static func notifyApplicant(
        _ req: Request, bundle: ApplicationBundle, subject: String, body: String, args: (Language) -> [String], on tx: StoreTransaction
    ) async throws {
        let a = bundle.application
        let members = try await tx.query(Membership.self).filter(\.$organisation.$id == a.$organisation.id).with(\.$user).all().map(\.user)
        var sent = Set<String>()
        let link = req.application.subsidiaConfig.baseURL + "/applications/\(try a.storedID)"
        for (email, userID, language) in [(a.contact1Email, nil, nil)] + members.map({ ($0.email, $0.id, $0.language) }) {
            guard sent.insert(email.lowercased()).inserted else { continue }
            let lang = language.flatMap(Language.init(rawValue:)) ?? req.language
            let catalogue = req.application.catalogue
            try await tx.enqueueMail(to: email, userID: userID, subject: catalogue.text(subject, lang, [a.reference ?? ""]),
                                     body: catalogue.text(body, lang, [a.reference ?? "", a.title] + args(lang)) + "\n\n" + link,
                                     kind: "instruction", now: req.now)
        }
    }

    /// A score in the reader's language (a comma but in English).
    static func points(_ hundredths: Int, _ req: Request) -> String {
        let p = Points(hundredths: hundredths).description
        return req.language == .en ? p : p.replacingOccurrences(of: ".", with: ",")
    }
}
