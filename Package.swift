// swift-tools-version:6.0
// dti — a PostgreSQL warehouse for Vietnam's Digital Transformation Index below the national level.
import PackageDescription

let package = Package(
    name: "dti",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dti", targets: ["dti"]),
        .library(name: "DTICore", targets: ["DTICore"]),
        .library(name: "PostgresClient", targets: ["PostgresClient"]),
        .library(name: "DTIWarehouse", targets: ["DTIWarehouse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // The district portal (`dti serve`): Hummingbird 2 and its test client; hummingbird-auth authenticates each
        // request's session cookie (`SessionCookieAuthenticator`); swift-mustache lays out every page (`HTML.layout`).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // C libraries from Debian, reached through pkg-config.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CXLSXWriter", pkgConfig: "xlsxwriter", providers: [.apt(["libxlsxwriter-dev"])]),

        // A thin, synchronous PostgreSQL client over libpq: bound parameters, typed decoding, COPY, transactions.
        .target(name: "PostgresClient", dependencies: [
            "CLibPQ",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The pure core: catalogues, rules and scoring. No I/O: it takes values and text, it returns values.
        .target(name: "DTICore", dependencies: [
            .product(name: "Yams", package: "Yams"),
        ]),

        // File formats people exchange: streaming CSV, XLSX read (ZIPFoundation + XMLParser) and write (libxlsxwriter).
        .target(name: "DTIFormats", dependencies: [
            "CXLSXWriter",
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),

        // The warehouse, in folders by the path data takes: Cluster/ and Migrations/ (the database itself), Units/,
        // Catalogues/, Load/ (files → sheets), Rollup/ (communes → districts, scores, ranks), Status/, Export/,
        // Score/ (`dti score`, no database), Access/ (logins), Support/ (small shared helpers).
        .target(name: "DTIWarehouse", dependencies: [
            "DTICore", "DTIFormats", "PostgresClient",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Synthetic data for the demo and the benchmarks (`dti synth`): a deterministic sample country, kept apart
        // from the warehouse logic so nothing the warehouse computes can depend on it.
        .target(name: "DTISynth", dependencies: ["DTICore", "DTIFormats", "DTIWarehouse"]),

        // The district portal (`dti serve`): Hummingbird 2 routes over the warehouse; each signed-in person's
        // queries run as their own PostgreSQL login (row-level security decides), libpq calls on a thread pool.
        .target(name: "DTIPortal", dependencies: [
            "DTIWarehouse", "DTICore", "DTIFormats", "PostgresClient",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The command line: one ParsableCommand per file, logic lives in the libraries.
        .executableTarget(name: "dti", dependencies: [
            "DTIWarehouse", "DTICore", "DTIFormats", "DTISynth", "DTIPortal",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Test support (not a product): throwaway databases on the test server — DATABASE_URL, else an embedded
        // cluster in .dti/test — fresh or cloned from a template migrated once per test process.
        .target(name: "DTITestSupport", dependencies: [
            "DTIWarehouse", "PostgresClient",
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "DTICoreTests", dependencies: ["DTICore"]),
        .testTarget(name: "DTIFormatsTests", dependencies: ["DTIFormats"]),
        .testTarget(name: "PostgresClientTests", dependencies: [
            "PostgresClient", "DTITestSupport",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "DTIWarehouseTests", dependencies: [
            "DTIWarehouse", "DTICore", "DTIFormats", "PostgresClient", "DTITestSupport",
        ]),
        .testTarget(name: "DTIPortalTests", dependencies: [
            "DTIPortal", "DTIWarehouse", "DTICore", "PostgresClient", "DTITestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ]
)
