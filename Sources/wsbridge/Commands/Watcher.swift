import Dispatch
import Foundation

/// `--watch`: draws a listing again and again until SIGINT (or SIGTERM). On a terminal each
/// drawing replaces the last (cursor home, screen cleared, as watch(1) does); into a pipe or a
/// file the drawings follow each other, a blank line between two.
struct Watcher {
    let interval: Double

    func run(_ draw: (Double) -> Void) {
        let stop = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            sources.append(source)
        }
        let terminal = isatty(STDOUT_FILENO) == 1
        var first = true
        repeat {
            if terminal { print("\u{1b}[H\u{1b}[2J", terminator: "") } else if !first { print("") }
            first = false
            draw(Date().timeIntervalSince1970)
            fflush(nil)
        } while stop.wait(timeout: .now() + interval) == .timedOut
        for s in sources { s.cancel() }
    }
}
