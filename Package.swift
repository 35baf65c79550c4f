// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "subsidia",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "subsidia", targets: ["subsidia"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // Imported directly, so declared (they also come through Vapor and Fluent, at the same versions).
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        // Tests only: property tests over the money and budget arithmetic.
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // Pure domain: money, dates, identifiers, rules. No Vapor, no database.
        .target(name: "SubsidiaCore"),
        // The platform's PDF documents (application summary, receipt), written without external programs.
        .target(name: "SubsidiaDocuments"),
        .target(
            name: "SubsidiaApp",
            dependencies: [
                "SubsidiaCore",
                "SubsidiaDocuments",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "FluentSQL", package: "fluent-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "subsidia",
            dependencies: [
                "SubsidiaApp",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "SubsidiaCoreTests",
            dependencies: ["SubsidiaCore", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "SubsidiaDocumentsTests", dependencies: ["SubsidiaDocuments"]),
        .testTarget(
            name: "SubsidiaAppTests",
            dependencies: [
                "SubsidiaApp",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
