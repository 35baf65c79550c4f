import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// Registrations to a call's information sessions.
extension StaffCallsController {
    // MARK: Registrations

    struct RegistrationsPage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let name: String
            let email: String
            let organisation: String
            let registered: String
        }

        let callReference: String
        let callHref: String
        let when: String
        let place: String
        let capacity: Int
        let rows: [Row]
        let csvHref: String
    }

    static func sessionOf(_ req: Request, _ call: Call) async throws -> InformationSession {
        guard let sid = req.parameters.get("sessionID", as: UUID.self),
              let s = try await req.store.query(InformationSession.self).filter(\.$id == sid).filter(\.$call.$id == call.storedID).first()
        else { throw Abort(.notFound) }
        return s
    }

    static func registrations(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        let call = try await CallLookup.staff(req)
        let s = try await sessionOf(req, call)
        let regs = try await req.store.query(SessionRegistration.self).filter(\.$session.$id == s.storedID).sort(\.$createdAt).all()
        let page = RegistrationsPage(
            callReference: call.reference, callHref: "/staff/calls/\(try call.storedID)", when: req.dateTime(s.startsAt), place: s.place,
            capacity: s.capacity,
            rows: regs.map { .init(name: $0.name, email: $0.email, organisation: $0.organisationName,
                                   registered: $0.createdAt.map { req.dateTime($0) } ?? "") },
            csvHref: "/staff/calls/\(try call.storedID)/sessions/\(try s.storedID)/registrations.csv")
        return try await req.render("staff/registrations", title: "staff.registrations_title", page)
    }

    static func registrationsCSV(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        let call = try await CallLookup.staff(req)
        let s = try await sessionOf(req, call)
        let regs = try await req.store.query(SessionRegistration.self).filter(\.$session.$id == s.storedID).sort(\.$createdAt).all()
        var csv = "call,session_start,place,name,email,organisation,registered_at\r\n"
        for r in regs {
            csv += [call.reference, DateText.iso8601(s.startsAt), s.place, r.name, r.email, r.organisationName,
                    r.createdAt.map(DateText.iso8601) ?? ""].map(CSV.field).joined(separator: ",") + "\r\n"
        }
        let response = Response(status: .ok, body: .init(string: csv))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(.attachment, filename: "registrations-\(call.reference).csv")
        return response
    }
}
