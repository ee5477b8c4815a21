import Foundation
import Testing
import WorkspaceBridge
@testable import BridgeStore

/// A workspace's allocation (`v7: workspace allocation`) is kept with its record, across reopening.
@Suite struct WorkspaceAllocationTests {
    @Test(arguments: StoreBackend.available) func anAllocationAndItsNoteSurviveReopening(_ backend: StoreBackend) throws {
        let path = try backend.newLocation()
        let allocation = ResourceAllocation(memoryMB: 768, cpus: 2, cpuWeight: 50, cpuCapPercent: 25, diskMB: 100, bandwidthKBps: 1000)
        let retuned = Workspace(id: "ws-1", className: "c", provider: "local", state: .busy, pid: 7, endpoint: "/e", handle: "/h",
                                createdAt: 1, leaseExpiresAt: 2, lastUsedAt: 1, allocation: allocation,
                                allocationNote: "retuned by uid 0: memory 512 MB → 768 MB")
        let older = Workspace(id: "ws-2", className: "c", provider: "local", state: .ready, pid: nil, endpoint: "", handle: "",
                              createdAt: 1, leaseExpiresAt: 2, lastUsedAt: 1)
        do {
            let store = try backend.open(path)
            try store.save(retuned)
            try store.save(older)
        }
        let read = try backend.open(path).workspaces().sorted { $0.id < $1.id }
        #expect(read == [retuned, older])
    }
}
