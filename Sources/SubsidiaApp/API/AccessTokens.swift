import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// A personal access token for the JSON API. The token is shown once, when it is created; only its
/// SHA-256 is stored. It acts as its user, with the same rights as the pages; revoking it ends it at once.
final class AccessToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"
    static let prefix = "sbs_"
    static let maximumPerUser = 20

    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Parent(key: "user_id") var user: User
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}
}

extension Request {
    private struct APIUserKey: StorageKey { typealias Value = User }

    /// The user an API request acts for (set by `AccessTokenMiddleware`).
    var apiUser: User? {
        get { storage[APIUserKey.self] }
        set { storage[APIUserKey.self] = newValue }
    }
}

/// Authenticates `/api/v1` with `Authorization: Bearer sbs_…`: an unknown, revoked or deactivated token gets
/// 401 with a JSON body. Messages are in the token user's language unless the request sends Accept-Language.
struct AccessTokenMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let header = request.headers.first(name: .authorization), header.hasPrefix("Bearer "),
              case let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces),
              token.hasPrefix(AccessToken.prefix), token.count < 100,
              let record = try await request.store.query(AccessToken.self).filter(\.$tokenHash == Tokens.hash(token))
                .filter(\.$revokedAt == nil).with(\.$user).first(),
              record.user.isActive
        else {
            return try APIResponse.error(request, .unauthorized, code: "unauthorized", message: request.t("api.error.unauthorized"),
                                         headers: ["WWW-Authenticate": "Bearer"])
        }
        request.apiUser = record.user
        if request.headers.first(name: .acceptLanguage) == nil, let lang = record.user.language.flatMap(Language.init(rawValue:)) {
            request.language = lang
        }
        // One write a minute at most records use without a write per request.
        let now = request.now
        if record.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            try await request.store.write(.notAudited(because: "a token's last use")) { tx in
                try await tx.query(AccessToken.self).filter(\.$id == record.storedID).set(\.$lastUsedAt, to: now).update()
            }
        }
        return try await next.respond(to: request)
    }
}

/// The account page's token list: create (the token is shown once), revoke.
enum AccessTokensController {
    struct TokensPage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let name: String
            let created: String
            let lastUsed: String
            let revoke: String
        }

        let rows: [Row]
        let form: FormView
        let created: String?
        let createdName: String?
        let docsHref: String
    }

    static func page(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        return try await render(req, user: user, values: FormValues(), errors: FormErrors(), created: nil)
    }

    static func render(_ req: Request, user: User, values: FormValues, errors: FormErrors, created: (name: String, token: String)?) async throws -> Response {
        let tokens = try await req.store.query(AccessToken.self).filter(\.$user.$id == user.storedID).filter(\.$revokedAt == nil)
            .sort(\.$createdAt, .descending).all()
        var f = FormBuilder(req, values: values, errors: errors)
        f.section("token.new_title")
        f.text("name", "token.name", hint: "token.name_hint", maxLength: 80)
        let page = TokensPage(
            rows: try tokens.map { t in
                TokensPage.Row(name: t.name, created: req.dateTime(t.createdAt), lastUsed: t.lastUsedAt.map { req.dateTime($0) } ?? req.t("token.never"),
                               revoke: "/account/tokens/\(try t.storedID)/revoke")
            },
            form: f.build(action: "/account/tokens", submit: "token.create"), created: created?.token, createdName: created?.name,
            docsHref: "/api/openapi.json")
        return try await req.render("accounts/tokens", title: "token.title", page, errors: !errors.isEmpty,
                                    status: errors.isEmpty ? .ok : .unprocessableEntity, hasForm: true)
    }

    static func create(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let v = req.formValues()
        var e = FormErrors()
        e.required(v, "name", max: 80)
        let count = try await req.store.query(AccessToken.self).filter(\.$user.$id == user.storedID).filter(\.$revokedAt == nil).count()
        if count >= AccessToken.maximumPerUser { e.add("name", "token.error.too_many", String(AccessToken.maximumPerUser)) }
        if !e.isEmpty { return try await render(req, user: user, values: v, errors: e, created: nil) }
        let token = AccessToken.prefix + Tokens.random()
        let record = AccessToken()
        record.$user.id = try user.storedID
        record.name = v["name"]
        record.tokenHash = Tokens.hash(token)
        record.createdAt = req.now
        try await req.store.write { tx in
            try await tx.create(record)
            try await tx.audit("token.created", entity: "user", id: user.id, summary: record.name, by: req)
        }
        // Shown on this response only: it is not stored, so a reload cannot show it again.
        let response = try await render(req, user: user, values: FormValues(), errors: FormErrors(), created: (record.name, token))
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    static func revoke(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let id = req.parameters.get("tokenID", as: UUID.self),
              let record = try await req.store.query(AccessToken.self).filter(\.$id == id).filter(\.$user.$id == user.storedID)
                .filter(\.$revokedAt == nil).first() else { throw Abort(.notFound) }
        record.revokedAt = req.now
        try await req.store.write { tx in
            try await tx.save(record)
            try await tx.audit("token.revoked", entity: "user", id: user.id, summary: record.name, by: req)
        }
        return try await req.redirect("/account/tokens", flash: "token.flash.revoked")
    }
}

enum AccessTokens {
    /// A new password ends every personal access token of the account: a token made by whoever knew the old
    /// password must not outlive it.
    static func revokeAll(of user: UUID, at now: Date, on tx: StoreTransaction) async throws {
        try await tx.query(AccessToken.self).filter(\.$user.$id == user).filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
    }
}
