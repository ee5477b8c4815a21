import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

extension GuestTests {
    /// MemTotal inside the guest, read by a job of its own (kB).
    func memTotal(_ d: TestDaemon, _ name: String) throws -> Int {
        let probe = try d.submit([job("grep MemTotal /proc/meminfo", d, out: name)])
        #expect(try d.waitAll(probe, timeout: 120)[0].state == .done)
        let line = read(d, name)
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }

    /// Probes until MemTotal passes `condition` (the balloon moves in steps), or gives the last value.
    func memTotal(_ d: TestDaemon, _ name: String, until condition: (Int) -> Bool) throws -> Int {
        var value = -1
        for i in 0..<10 {
            value = try memTotal(d, "\(name)-\(i)")
            if condition(value) { break }
            sleep(1)
        }
        return value
    }

    @Test("a running guest retuned from 512 to 768 MiB and back: MemTotal inside follows the balloon, a job runs on through both")
    func memoryFollowsTheBalloon() throws {
        let d = try TestDaemon(config: vmConfig(slots: 2, maxWorkspaces: 1, memoryMB: 512, extraSettings: "max_memory_mb = 768"))
        defer { cleanUp(d) }
        try d.start()
        // The long job logs MemTotal every second; it ends by itself, done, once it has seen the
        // memory grow by 200 MiB over the least it saw and come back (or after 60 s).
        let long = try d.submit([job("""
            i=0; base=; grown=
            while [ $i -lt 60 ]; do
              m=$(grep MemTotal /proc/meminfo | tr -s ' ' | cut -d' ' -f2); echo "$(date +%s) MemTotal: $m kB"
              if [ -z "$base" ] || [ $m -lt $base ]; then base=$m; fi
              [ $m -gt $((base + 204800)) ] && grown=1
              [ -n "$grown" ] && [ $m -le $((base + 8192)) ] && break
              sleep 1; i=$((i+1))
            done
            """, d, out: "long.out")])
        var wsID = ""
        try d.waitUntil(timeout: 240, "the long job runs in a guest") {
            let j = try d.status(long)[0]
            wsID = j.workspaceID ?? ""
            return j.state == .running
        }
        // A new guest is defined with its maximum, and its balloon takes it down to the class's
        // 512 MiB in steps once its driver loads: a job in a guest just booted may see more (its
        // run's own memory limit holds all the same). The baseline is MemTotal once it holds still.
        var at512 = -1
        for i in 0..<20 {
            let now = try memTotal(d, "mem512-\(i)")
            if now == at512 { break }
            at512 = now
            sleep(1)
        }

        let up = try d.client.post("/v1/workspaces/\(wsID)/retune", RetuneRequest(memoryMB: 768), as: RetuneReply.self)
        #expect(up.plan.isLive && up.plan.controls == [.memory])
        // The balloon gives the pages back in steps; once done, MemTotal is 256 MiB more.
        let at768 = try memTotal(d, "mem768") { $0 >= at512 + 248 * 1024 }
        #expect(abs(at768 - at512 - 256 * 1024) <= 8 * 1024, "MemTotal grows by the 256 MiB given: \(at512) → \(at768) kB")
        // Long enough at 768 MiB for the long job's next samples.
        sleep(3)

        _ = try d.client.post("/v1/workspaces/\(wsID)/retune", RetuneRequest(memoryMB: 512), as: RetuneReply.self)
        let back = try memTotal(d, "memback") { $0 <= at512 + 8 * 1024 }
        #expect(abs(back - at512) <= 8 * 1024, "MemTotal shrinks back: \(at768) → \(back) kB (at first \(at512))")

        // Past the maximum the guest was defined with: refused, nothing changed.
        do {
            _ = try d.client.post("/v1/workspaces/\(wsID)/retune", RetuneRequest(memoryMB: 1024), as: RetuneReply.self)
            Issue.record("grown past its maximum")
        } catch {
            guard case .daemon(let status, let body) = error else { throw error }
            #expect(status == 409 && body.error.contains("at most 768 MiB"), "\(body.error)")
        }
        let shown = try d.client.get("/v1/workspaces/\(wsID)", as: WorkspaceStatus.self).workspace
        #expect(shown.allocation?.memoryMB == 512)
        #expect(shown.enforcement.contains { $0.control == "memory" && $0.detail == "512 MiB (max 768 MiB)" }, "\(shown.enforcement)")

        let done = try d.waitAll(long, timeout: 240)[0]
        #expect(done.state == .done && done.workspaceID == wsID, "the job ran on through both retunes: \(done.state) \(done.reason ?? "")")
        let log = read(d, "long.out").split(separator: "\n")
        let seen = log.compactMap { Int($0.split(separator: " ").dropFirst(2).first ?? "") }
        #expect(seen.contains { $0 > at512 + 200 * 1024 }, "the running job saw the larger memory itself: \(Set(seen).sorted())")
        print("guest \(wsID): MemTotal \(at512) kB at 512 MiB, \(at768) kB after retune to 768 MiB, \(back) kB after retune back to 512 MiB; the long job (\(done.state.rawValue)) saw \(Set(seen).sorted()) kB")
    }

    /// Online vCPUs inside the guest, read by a job of its own; probed until `condition` holds.
    func onlineCPUs(_ d: TestDaemon, _ name: String, until condition: (Int) -> Bool) throws -> Int {
        var value = -1
        for i in 0..<15 {
            let probe = try d.submit([job("cat /sys/devices/system/cpu/online; nproc", d, out: "\(name)-\(i)")])
            #expect(try d.waitAll(probe, timeout: 120)[0].state == .done)
            value = Int(read(d, "\(name)-\(i)").split(separator: "\n").last ?? "") ?? -1
            if condition(value) { break }
            sleep(1)
        }
        return value
    }

    @Test("a running guest retuned from 1 to 2 vCPUs (hot-plug up to max_cpus): the guest brings it online, a job runs on; more than max_cpus or fewer vCPUs are refused")
    func vcpusFollowHotPlug() throws {
        let d = try TestDaemon(config: vmConfig(slots: 2, maxWorkspaces: 1, memoryMB: 512, cpus: 1, extraSettings: "max_cpus = 2"))
        defer { cleanUp(d) }
        try d.start()
        // The long job logs the online vCPUs every second; it ends by itself, done, after three
        // samples with both online (or after 40 s).
        let long = try d.submit([job("""
            i=0; both=0
            while [ $i -lt 40 ] && [ $both -lt 3 ]; do
              c=$(cat /sys/devices/system/cpu/online); echo "$(date +%s) $c"
              [ "$c" = 0-1 ] && both=$((both + 1))
              sleep 1; i=$((i+1))
            done
            """, d, out: "long.out")])
        var wsID = ""
        try d.waitUntil(timeout: 240, "the long job runs in a guest") {
            let j = try d.status(long)[0]
            wsID = j.workspaceID ?? ""
            return j.state == .running
        }
        let first = try onlineCPUs(d, "cpu1") { $0 == 1 }
        #expect(first == 1)
        let up = try d.client.post("/v1/workspaces/\(wsID)/retune", RetuneRequest(cpus: 2), as: RetuneReply.self)
        #expect(up.plan.isLive && up.plan.controls == [.cpus])
        let two = try onlineCPUs(d, "cpu2") { $0 == 2 }
        #expect(two == 2, "the added vCPU comes online")
        sleep(2)
        do {
            _ = try d.client.post("/v1/workspaces/\(wsID)/retune", RetuneRequest(cpus: 3), as: RetuneReply.self)
            Issue.record("grown past max_cpus")
        } catch {
            guard case .daemon(let status, let body) = error else { throw error }
            #expect(status == 409 && body.error.contains("at most 2 vCPU"), "\(body.error)")
        }
        // Taking one away is refused: the guest's eject could come after libvirt stopped waiting.
        do {
            _ = try d.client.post("/v1/workspaces/\(wsID)/retune", RetuneRequest(cpus: 1), as: RetuneReply.self)
            Issue.record("a vCPU was unplugged live")
        } catch {
            guard case .daemon(let status, let body) = error else { throw error }
            #expect(status == 409 && body.error.contains("ACPI eject"), "\(body.error)")
        }
        let still = try onlineCPUs(d, "cpustill") { $0 == 2 }
        #expect(still == 2)
        let shown = try d.client.get("/v1/workspaces/\(wsID)", as: WorkspaceStatus.self).workspace
        #expect(shown.allocation?.cpus == 2)
        #expect(shown.enforcement.contains { $0.control == "cpus" && $0.detail == "2 vCPU (max 2)" }, "\(shown.enforcement)")
        let done = try d.waitAll(long, timeout: 240)[0]
        #expect(done.state == .done && done.workspaceID == wsID, "the job ran on through both: \(done.state) \(done.reason ?? "")")
        let seen = Set(read(d, "long.out").split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst().first.map(String.init) })
        #expect(seen.contains("0-1"), "the running job saw both vCPUs online: \(seen.sorted())")
        print("guest \(wsID): online vCPUs \(first) → \(two) after retune to 2 (unplug refused, still \(still)); the long job (\(done.state.rawValue)) saw online \(seen.sorted())")
    }

    @Test("a reload while a guest boots: the guest follows its class's new memory once its agent reports")
    func reloadDuringBootIsFollowedOnceReady() throws {
        let d = try TestDaemon(config: vmConfig(slots: 1, maxWorkspaces: 1, memoryMB: 512, extraSettings: "max_memory_mb = 768"))
        defer { cleanUp(d) }
        try d.start()
        let first = try d.submit([job("sleep 1", d)])
        var booting: Workspace?
        try d.waitUntil(timeout: 60, "a guest is being made") {
            booting = try workspaces(d).first { $0.state == .creating || $0.state == .booting }
            return booting != nil
        }
        let wsID = try #require(booting).id
        try vmConfig(slots: 1, maxWorkspaces: 1, memoryMB: 640, extraSettings: "max_memory_mb = 768")
            .write(toFile: d.configPath, atomically: true, encoding: .utf8)
        let reply = try d.client.post("/v1/policy/reload", as: PolicyReply.self)
        print("reload while \(wsID) boots: \(reply.workspaceChanges ?? [])")
        #expect(reply.workspaceChanges?.contains { $0.hasPrefix("\(wsID): ") && $0.contains("followed once it is ready") } == true)
        #expect(try d.waitAll(first, timeout: 240)[0].state == .done)
        try d.waitUntil(timeout: 60, "the guest follows its class once ready") {
            try d.client.get("/v1/workspaces/\(wsID)", as: WorkspaceStatus.self).workspace.allocation?.memoryMB == 640
        }
        let shown = try d.client.get("/v1/workspaces/\(wsID)", as: WorkspaceStatus.self).workspace
        #expect(shown.allocationNote?.contains("on config reload") == true, "\(shown.allocationNote ?? "")")
        let policy = try d.client.get("/v1/policy", as: PolicyReply.self)
        #expect(policy.workspaceChanges?.contains { $0.hasPrefix("\(wsID): retuned in place: memory 512 MB → 640 MB") } == true,
                "\(policy.workspaceChanges ?? [])")
        let mem = try memTotal(d, "mem640") { $0 > 580 * 1024 }
        #expect(mem > 580 * 1024, "MemTotal \(mem) kB at 640 MiB (512 MiB gives 465 MiB)")
        print("guest \(wsID) made before the reload: \(shown.allocationNote ?? ""); MemTotal \(mem) kB")
    }
}
