import Vapor

/// Page-number pagination for lists: `?page=N`, a fixed page size, links that keep the filters.
struct Paging: Sendable {
    let page: Int
    let size: Int
    var offset: Int { (page - 1) * size }

    init(_ req: Request, size: Int = 25) {
        let requested = (try? req.query.get(Int.self, at: "page")) ?? 1
        page = min(max(1, requested), 100_000)
        self.size = size
    }

    struct View: Encodable, Sendable {
        let page: Int
        let pages: Int
        let total: Int
        let previous: String?
        let next: String?
        let summary: String
    }

    /// Links to the previous and next page, keeping every other query parameter.
    func view(total: Int, req: Request) -> View {
        let pages = max(1, (total + size - 1) / size)
        let items = (req.url.query ?? "").split(separator: "&").filter { !$0.hasPrefix("page=") }.map(String.init)
        func link(_ p: Int) -> String { req.url.path + "?" + (items + ["page=\(p)"]).joined(separator: "&") }
        let first = total == 0 ? 0 : offset + 1
        let last = min(total, offset + size)
        return View(page: page, pages: pages, total: total,
                    previous: page > 1 ? link(page - 1) : nil, next: page < pages ? link(page + 1) : nil,
                    summary: req.t("paging.summary", String(first), String(last), String(total)))
    }
}
