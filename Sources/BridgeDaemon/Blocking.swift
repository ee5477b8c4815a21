import Foundation

/// Work that may block in the kernel or in a network service (user lookups through NSS, users'
/// files on a network file system) runs on a thread of its own, and deadlines run on a serial
/// queue of their own. Not on the global dispatch queues: they share a pool of about one thread
/// per CPU, which a few calls stuck on a hung server would fill, holding up every other such
/// call and every timer meant to cut them short.
enum Blocking {
    static func run(_ work: @escaping @Sendable () -> Void) {
        let thread = Thread(block: work)
        thread.name = "blocking call"
        thread.start()
    }

    static let deadlines = DispatchQueue(label: "wsbridge deadlines")
}
