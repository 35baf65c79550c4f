import Foundation
import NIOCore
import NIOPosix
import SubsidiaApp
import Vapor

// The executable: `serve` (default), `migrate`, `demo`, `create-user`.

// Swift concurrency runs on NIO's event loops, before anything else is awaited: a request's handler, its
// database calls and its response then stay on one thread instead of hopping between the event loop and the
// global executor's threads at every await (measured: half of the server's CPU under load was on the global
// executor's threads, much of it switching between threads).
_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
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
    // The server stopped listening (SIGTERM, SIGINT): the requests still being handled finish before the
    // databases close; new ones are refused.
    let left = await app.inFlight.drain(timeout: .seconds(20))
    if left > 0 { app.logger.warning("stopping with \(left) requests still running") }
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
