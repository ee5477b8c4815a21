// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "wsbridge",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "wsbridge", targets: ["wsbridge"]),
        // The agent alone, what guests carry: no argument parser, NIO or Foundation (only
        // FoundationEssentials), so that it can be linked statically into a small binary.
        .executable(name: "wsbridge-agent", targets: ["wsbridge-agent"]),
        // The baseline `bench dispatch` measures against: a plain fork/exec loop in C.
        .executable(name: "wsbridge-forkloop", targets: ["wsbridge-forkloop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // The core: the job model, workspace classes, throttle and retry decisions. No I/O.
        .target(name: "WorkspaceBridge"),
        // fork/exec with identity, cgroups and rlimits; peer credentials. Small C because
        // what must happen between fork and exec cannot be written in Swift.
        .target(name: "CSpawn"),
        .target(name: "BridgeStore", dependencies: [
            "WorkspaceBridge",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        // The daemon's HTTP/JSON API: request and reply types, and the blocking client the CLI uses.
        .target(name: "BridgeAPI", dependencies: ["WorkspaceBridge", "AgentProtocol", "CMunge"]),
        // MUNGE credentials for the network API, loaded at run time (dlopen) when it is used.
        .target(name: "CMunge", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "AgentProtocol", dependencies: ["WorkspaceBridge"]),
        // GRAM5's front door: RSL, RVF validation, the job-manager adapter's replies, SEG lines.
        .target(name: "GRAMFrontend", dependencies: ["WorkspaceBridge"]),
        // HTCondor's front door: submit language, ClassAds, matchmaking, job policy, user event log.
        .target(name: "CondorFrontend", dependencies: ["WorkspaceBridge", "ProcessSpawn"]),
        .target(name: "ProcessSpawn", dependencies: ["CSpawn"]),
        // The agent and everything below it import FoundationEssentials, never Foundation.
        .target(name: "WorkspaceAgent", dependencies: ["AgentProtocol", "ProcessSpawn"]),
        .executableTarget(name: "wsbridge-agent", dependencies: ["WorkspaceAgent"]),
        .executableTarget(name: "wsbridge-forkloop"),
        .target(name: "WorkspaceProviders", dependencies: ["WorkspaceBridge", "AgentProtocol", "ProcessSpawn"]),
        // libvirt's API, loaded at run time (dlopen) when a class uses it: building needs its
        // headers (libvirt-dev), running with local workspaces only does not need libvirt.
        .target(name: "CLibvirt", linkerSettings: [.linkedLibrary("dl")]),
        // Virtual-machine workspaces (Xen, KVM, QEMU) through libvirt.
        .target(name: "LibvirtProvider", dependencies: ["WorkspaceBridge", "WorkspaceProviders", "AgentProtocol", "ProcessSpawn", "CLibvirt"]),
        .target(name: "BridgeDaemon", dependencies: [
            "WorkspaceBridge", "BridgeStore", "BridgeAPI", "AgentProtocol", "WorkspaceProviders", "ProcessSpawn",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "wsbridge", dependencies: [
            "WorkspaceBridge", "BridgeAPI", "BridgeDaemon", "WorkspaceAgent", "ProcessSpawn", "CondorFrontend", "GRAMFrontend",
            "WorkspaceProviders", "LibvirtProvider",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "WorkspaceBridgeTests", dependencies: ["WorkspaceBridge"]),
        .testTarget(name: "BridgeStoreTests", dependencies: ["BridgeStore", "WorkspaceBridge"]),
        .testTarget(name: "AgentProtocolTests", dependencies: ["AgentProtocol"]),
        .testTarget(name: "WorkspaceAgentTests", dependencies: ["WorkspaceAgent"]),
        .testTarget(name: "ProcessSpawnTests", dependencies: ["ProcessSpawn"]),
        .testTarget(name: "WorkspaceProvidersTests", dependencies: ["WorkspaceProviders"]),
        .testTarget(name: "BridgeDaemonTests", dependencies: ["BridgeDaemon", "WorkspaceBridge",
                                                             .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "CondorFrontendTests", dependencies: ["CondorFrontend"]),
        .testTarget(name: "GRAMFrontendTests", dependencies: ["GRAMFrontend", "WorkspaceBridge"]),
        .testTarget(name: "LibvirtProviderTests", dependencies: ["LibvirtProvider"]),
        .testTarget(name: "BridgeAPITests", dependencies: ["BridgeAPI", "BridgeDaemon", "WorkspaceBridge"]),
        .testTarget(name: "EndToEndTests", dependencies: ["WorkspaceBridge", "BridgeAPI", "AgentProtocol", "BridgeDaemon", "BridgeStore"]),
    ],
    swiftLanguageModes: [.v6]
)
