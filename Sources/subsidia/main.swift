import Foundation
import SubsidiaApp
import Vapor

// The executable: `serve` (default), `migrate`, `demo`, `create-user`.
var env = try Environment.detect()
try LoggingSystem.bootstrap(from: &env)

let config: AppConfig
do {
    config = try AppConfig.from(environment: ProcessInfo.processInfo.environment, mode: env)
} catch let problem as AppConfig.Problem {
    FileHandle.standardError.write(Data((problem.description + "\n").utf8))
    exit(2)
}

let app = try await Application.make(env)
do {
    try await configure(app, config: config)
    let arguments = env.arguments.dropFirst()
    let command = arguments.first.flatMap { $0.hasPrefix("-") ? nil : $0 } ?? "serve"
    if command == "serve" {
        try await Startup.prepare(app, announce: true)
        let host = ServeAddress.value(of: ["--hostname", "-H"], in: Array(arguments)) ?? app.http.server.configuration.hostname
        let port = ServeAddress.value(of: ["--port", "-p"], in: Array(arguments)) ?? String(app.http.server.configuration.port)
        print("Subsidia (\(config.database.kind)) is starting at http://\(host):\(port)/")
    }
    try await app.execute()
} catch {
    FileHandle.standardError.write(Data("subsidia: \(error)\n".utf8))
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()

enum ServeAddress {
    static func value(of names: [String], in args: [String]) -> String? {
        for (i, a) in args.enumerated() {
            for n in names {
                if a == n, i + 1 < args.count { return args[i + 1] }
                if a.hasPrefix(n + "=") { return String(a.dropFirst(n.count + 1)) }
            }
        }
        return nil
    }
}
