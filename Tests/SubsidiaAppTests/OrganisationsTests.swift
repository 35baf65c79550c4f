import Fluent
import Foundation
import SubsidiaCore
import Testing
import VaporTesting
@testable import SubsidiaApp

@Suite("Organisations: profile, members, isolation (COM-22, AMIF-04)")
struct OrganisationsTests {
    func createOrganisation(_ b: Browser, name: String = "Commune de Test") async throws -> String {
        try await b.get("/organisations/new")
        let res = try await b.post("/organisations", communeProfile(name: name))
        #expect(res.status == .seeOther)
        return res.location
    }

    @Test("COM-22: an IBAN error is shown next to the field with the values kept, then the fix saves")
    func ibanErrorThenFix() async throws {
        try await withSubsidia { app, _ in
            try await makeUser(app, "owner@commune.lu")
            let b = Browser(app)
            try await b.login("owner@commune.lu")
            try await b.get("/organisations/new")
            let bad = try await b.post("/organisations", communeProfile(iban: "LU29 0019 4006 4475 0000"))
            #expect(bad.status == .unprocessableEntity)
            let html = bad.text
            #expect(html.contains("Cet IBAN n'est pas valide"))
            #expect(html.contains("id=\"f-iban-error\""))
            #expect(html.contains("value=\"Commune de Test\""))
            #expect(html.contains("value=\"LU29 0019 4006 4475 0000\""))
            #expect(try await Organisation.query(on: app.db).count() == 0)
            let good = try await b.post("/organisations", communeProfile())
            #expect(good.status == .seeOther)
            let org = try #require(try await Organisation.query(on: app.db).first())
            #expect(org.iban == "LU280019400644750000")
            #expect(org.postcode == "L-1234")
            #expect(org.paktSigned == true)
            let page = try await b.get(good.location)
            #expect(page.text.contains("LU28 0019 4006 4475 0000"))
        }
    }

    @Test("Profile checks: RCS format, LU postcode, BIC length, Pakt for communes, second contact")
    func profileChecks() async throws {
        try await withSubsidia { app, _ in
            try await makeUser(app, "owner@asbl.lu")
            let b = Browser(app)
            try await b.login("owner@asbl.lu")
            try await b.get("/organisations/new")
            var fields = communeProfile().filter { !["pakt_signed", "postcode", "bic"].contains($0.0) }
            fields += [("rcs_number", "K12"), ("postcode", "123"), ("bic", "BCEE"), ("contact2_phone", "+352 123 456")]
            let res = try await b.post("/organisations", fields)
            let html = res.text
            #expect(res.status == .unprocessableEntity)
            for message in ["Le numéro RCS est une lettre", "Un code postal luxembourgeois a 4 chiffres", "Le BIC compte 8 ou 11 caractères",
                            "Indiquez si la commune a signé un Pakt", "href=\"#f-contact2-name\""] {
                #expect(html.contains(message), "missing: \(message)")
            }
            // A foreign address keeps its own postcode format.
            var foreign = communeProfile().filter { !["legal_form", "pakt_signed", "country", "postcode"].contains($0.0) }
            foreign += [("legal_form", "asbl"), ("country", "FR"), ("postcode", "57000")]
            #expect(try await b.post("/organisations", foreign).status == .seeOther)
        }
    }

    @Test("No one reads or changes another organisation's data: every organisation route answers 404")
    func isolation() async throws {
        try await withSubsidia { app, _ in
            try await makeUser(app, "a@commune.lu")
            try await makeUser(app, "b@asbl.lu")
            let a = Browser(app)
            try await a.login("a@commune.lu")
            let orgPath = try await createOrganisation(a)
            let members = try await a.get(orgPath + "/members")
            let memberID = try #require(members.body.string.components(separatedBy: orgPath + "/members/").dropFirst().first?.prefix(36))

            let b = Browser(app)
            try await b.login("b@asbl.lu")
            for path in [orgPath, orgPath + "/edit", orgPath + "/members"] {
                #expect(try await b.get(path).status == .notFound, "GET \(path)")
            }
            try await b.get("/organisations")
            for (path, fields) in [(orgPath + "/edit", communeProfile(name: "Hijacked")), (orgPath + "/members/invite", [("email", "x@y.lu"), ("role", "owner")]),
                                   (orgPath + "/members/\(memberID)", [("role", "viewer")]), (orgPath + "/members/\(memberID)/remove", [])] {
                #expect(try await b.post(path, fields).status == .notFound, "POST \(path)")
            }
            #expect(try await Organisation.query(on: app.db).first()?.legalName == "Commune de Test")
            #expect(try await Invitation.query(on: app.db).count() == 0)
            // Anonymous visitors are sent to the login page.
            #expect(try await Browser(app).get(orgPath).status == .seeOther)
        }
    }

    @Test("Invite by email, accept, change role; a viewer cannot edit; the last owner cannot be removed")
    func members() async throws {
        try await withSubsidia { app, _ in
            try await makeUser(app, "owner@commune.lu")
            try await makeUser(app, "colleague@commune.lu")
            let owner = Browser(app)
            try await owner.login("owner@commune.lu")
            let orgPath = try await createOrganisation(owner)
            try await owner.get(orgPath + "/members")
            #expect(try await owner.post(orgPath + "/members/invite", [("email", "Colleague@commune.lu"), ("role", "viewer")]).status == .seeOther)
            let inviteMail = try #require(try await mails(app, to: "colleague@commune.lu").first)
            let invite = try #require(link(in: inviteMail.body))

            // Someone else who gets the link cannot use it.
            try await makeUser(app, "intruder@commune.lu")
            let intruder = Browser(app)
            try await intruder.login("intruder@commune.lu")
            #expect(try await intruder.get(invite).text.contains("Cette invitation est adressée à colleague@commune.lu"))
            #expect(try await intruder.post(invite, []).status == .forbidden)

            let colleague = Browser(app)
            try await colleague.login("colleague@commune.lu")
            try await colleague.get(invite)
            #expect(try await colleague.post(invite, []).status == .seeOther)
            #expect(try await colleague.get(orgPath).status == .ok)
            #expect(try await colleague.get(orgPath + "/edit").status == .forbidden)

            let ownerMembership = try #require(try await Membership.query(on: app.db).filter(\.$role == "owner").first())
            try await owner.get(orgPath + "/members")
            let refused = try await owner.post(orgPath + "/members/\(ownerMembership.id!)/remove", [])
            #expect(refused.status == .seeOther)
            #expect(try await Membership.query(on: app.db).filter(\.$role == "owner").count() == 1)
            #expect(try await owner.get(orgPath + "/members").text.contains("au moins un propriétaire"))
            let colleagueMembership = try #require(try await Membership.query(on: app.db).filter(\.$role == "viewer").first())
            try await owner.post(orgPath + "/members/\(colleagueMembership.id!)", [("role", "editor"), ("signatory", "yes")])
            let changed = try #require(try await Membership.find(colleagueMembership.id, on: app.db))
            #expect(changed.role == "editor" && changed.isSignatory)
            #expect(try await colleague.get(orgPath + "/edit").status == .ok)
            // The colleague, not an owner, cannot manage members.
            #expect(try await colleague.post(orgPath + "/members/invite", [("email", "z@z.lu"), ("role", "owner")]).status == .forbidden)
        }
    }

    @Test("Two people editing the profile: the second save gets a conflict and keeps what was typed")
    func optimisticLocking() async throws {
        try await withSubsidia { app, _ in
            try await makeUser(app, "owner@commune.lu")
            let first = Browser(app)
            try await first.login("owner@commune.lu")
            let orgPath = try await createOrganisation(first)
            let second = Browser(app)
            try await second.login("owner@commune.lu")
            try await first.get(orgPath + "/edit")
            try await second.get(orgPath + "/edit")
            #expect(try await first.post(orgPath + "/edit", communeProfile(name: "Nom A") + [("version", "1")]).status == .seeOther)
            let conflict = try await second.post(orgPath + "/edit", communeProfile(name: "Nom B") + [("version", "1")])
            #expect(conflict.status == .conflict)
            #expect(conflict.text.contains("Quelqu'un d'autre a modifié"))
            #expect(conflict.text.contains("value=\"Nom B\""))
            #expect(try await Organisation.query(on: app.db).first()?.legalName == "Nom A")
            #expect(try await second.post(orgPath + "/edit", communeProfile(name: "Nom B") + [("version", "2")]).status == .seeOther)
        }
    }
}
