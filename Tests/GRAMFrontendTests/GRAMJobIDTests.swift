import Foundation
import Testing
import WorkspaceBridge
@testable import GRAMFrontend

private let store = StoreIdentity(id: "0b6c4f1e-6f3a-4c1e-9d8e-2f1a3b4c5d6e")
private let resetStore = StoreIdentity(id: "7d1e0c2a-1b2c-4d3e-8f90-a1b2c3d4e5f6")

@Test("a GRAM job id names the store: the same number in a reset store is another id")
func idsCarryTheStore() throws {
    #expect(GRAMJobID.string(12, store: store) == "0b6c4f1e-6f3a-4c1e-9d8e-2f1a3b4c5d6e.12")
    #expect(GRAMJobID.string(12, store: store) != GRAMJobID.string(12, store: resetStore))
    #expect(GRAMJobID.string([12, 13], store: store) == "\(store.id).12,\(store.id).13")
    #expect(try GRAMJobID.parse(GRAMJobID.string([12, 13], store: store), store: store) == [12, 13])
}

@Test("a job of an earlier store is refused, not mistaken for this store's job of that number")
func earlierStoreRefused() {
    do {
        _ = try GRAMJobID.parse(GRAMJobID.string(12, store: store), store: resetStore)
        Issue.record("accepted a job id of another store")
    } catch {
        #expect(error.code == .gettingJobID)
        #expect(error.message.contains("store was reset"), "\(error)")
    }
}

@Test("a store made before store identities keeps the plain ids it handed out, and only those")
func legacyPlainIDs() throws {
    let upgraded = StoreIdentity(id: store.id, legacyJobIDsUpTo: 40)
    #expect(GRAMJobID.string(40, store: upgraded) == "40")
    #expect(GRAMJobID.string(41, store: upgraded) == "\(store.id).41")
    #expect(try GRAMJobID.parse("39,40", store: upgraded) == [39, 40])
    #expect(throws: GRAMError.self) { try GRAMJobID.parse("41", store: upgraded) }
    #expect(throws: GRAMError.self) { try GRAMJobID.parse("12", store: store) }
    #expect(GRAMJobID.string(12, store: nil) == "12", "a daemon that names no store: plain ids, as before")
}

@Test("malformed ids are refused")
func malformed() {
    for text in ["", "\(store.id).", "\(store.id).x", "\(store.id).12,,\(store.id).13", "ws-12", "\(store.id).-3", ".12"] {
        #expect(throws: GRAMError.self, "\(text)") { try GRAMJobID.parse(text, store: store) }
    }
}

/// The job manager's SEG reader takes `%128[^;]` of job id (GCT `seg_job_manager_module.c`)
/// and splits JOB_ID on "," (`globus_gram_job_manager.c`, `globus_gram_split_subjobs`).
@Test("the longest id fits the SEG reader and holds no separator it splits on")
func fitsTheSEGReader() throws {
    let id = GRAMJobID.string(JobID.max, store: store)
    #expect(id.utf8.count <= SEGFormatter.maximumJobIDLength)
    #expect(!id.contains(where: { ";, \t\n".contains($0) }))
    let job = Job(id: 7, spec: JobSpec(executable: "/bin/true"), owner: 1000, state: .running, className: "default", submittedAt: 0)
    let event = try #require(SEGFormatter.event(for: job, at: 5, store: store))
    #expect(try SEGFormatter.line(event) == "001;5;\(store.id).7;2;0\n")
}
