import Vapor

/// Headers every response carries: a strict Content-Security-Policy (no inline script, no framing),
/// no MIME sniffing, no referrer leaks across sites.
/// Written with futures, not `AsyncMiddleware`, as are the other middlewares on every request: Vapor runs each
/// `AsyncMiddleware` in a task of its own, and waits for the next one's future inside it (perf: seven tasks
/// per autosave).
struct SecurityHeadersMiddleware: Middleware {
    let secure: Bool

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).map { response in
            add(to: response)
            return response
        }
    }

    func add(to response: Response) {
        response.headers.replaceOrAdd(
            name: "Content-Security-Policy",
            value: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                + "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        if secure {
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000")
        }
        if response.headers.first(name: .cacheControl) == nil {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
    }
}

/// The files of `Public/` are all under /static/, served by the route `GET /static/**` alone (perf: as a global
/// middleware, Vapor's file middleware asked the file system about every request, 2 % of an autosave's time, and a
/// check of the path before it was 3 % more, since `url.path` and `url.string` rebuild the path with Foundation
/// each time they are read). Files are revalidated at every use (`no-cache`, with the ETag the file middleware
/// sends), so a new release's script and styles are picked up at once; pages are never stored (`no-store`).
struct StaticFilesMiddleware: Middleware {
    let files: FileMiddleware

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        files.respond(to: request, chainingTo: next).map { response in
            if response.status == .ok || response.status == .notModified {
                response.headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
            }
            return response
        }
    }
}
