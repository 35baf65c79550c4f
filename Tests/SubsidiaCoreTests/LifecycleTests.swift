import Testing
@testable import SubsidiaCore

/// The life of an application as one table (`ApplicationLifecycle`): every event from every status, by every actor.
@Suite("Application lifecycle")
struct LifecycleTests {
    static let actors: [LifecycleActor] = MembershipRole.allCases.flatMap { [.member($0, signatory: true), .member($0, signatory: false)] }
        + UserRole.allCases.map { .staff($0) }

    @Test("Every event has one row of the table, and every status but the ends can be reached")
    func table() {
        #expect(Set(ApplicationLifecycle.transitions.map(\.event)) == Set(ApplicationEvent.allCases))
        #expect(ApplicationLifecycle.transitions.count == ApplicationEvent.allCases.count)
        let reached = Set(ApplicationLifecycle.transitions.map(\.to)).union([.draft])
        #expect(reached == Set(ApplicationStatus.allCases))
    }

    @Test("Each transition: allowed from each legal status by each allowed actor, refused from every other status and by every other actor",
          arguments: ApplicationEvent.allCases)
    func transition(_ event: ApplicationEvent) throws {
        let t = ApplicationLifecycle.transition(event)
        for actor in Self.actors {
            for status in ApplicationStatus.allCases {
                let result = Result { () throws(ApplicationLifecycle.Refusal) -> ApplicationStatus in
                    try ApplicationLifecycle.check(event, from: status, by: actor)
                }
                switch (t.firedBy.admits(actor), t.from.contains(status)) {
                case (true, true): #expect(try result.get() == t.to, "\(event) from \(status) by \(actor)")
                case (true, false): #expect(throws: ApplicationLifecycle.Refusal.wrongStatus(status)) { try result.get() }
                case (false, _): #expect(throws: ApplicationLifecycle.Refusal.notAllowed) { try result.get() }
                }
            }
        }
    }

    @Test("Who fires what: viewers nothing, editors edit, only signatories submit, officers instruct, finance verifies")
    func permissions() {
        #expect(ApplicationLifecycle.transitions.allSatisfy { !$0.firedBy.admits(.member(.viewer, signatory: true)) })
        #expect(!LifecyclePermission.signatory.admits(.member(.owner, signatory: false)))
        #expect(LifecyclePermission.signatory.admits(.member(.editor, signatory: true)))
        #expect(LifecyclePermission.editor.admits(.member(.editor, signatory: false)))
        #expect(!LifecyclePermission.instructingStaff.admits(.staff(.evaluator)))
        #expect(!LifecyclePermission.instructingStaff.admits(.member(.owner, signatory: true)))
        #expect(LifecyclePermission.finance.admits(.staff(.finance)) && !LifecyclePermission.finance.admits(.staff(.officer)))
    }

    @Test("Only a draft's content changes; documents also while items are missing (COM-15)")
    func editable() {
        #expect(ApplicationStatus.allCases.filter(ApplicationLifecycle.isEditable) == [.draft])
        #expect(ApplicationLifecycle.documentsEditable == [.draft, .incomplete])
        #expect(throws: ApplicationTransitions.Refusal.notDraft) { try ApplicationTransitions.checkEditable(.submitted) }
    }
}
