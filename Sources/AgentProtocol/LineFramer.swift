/// Splits a byte stream into newline-terminated frames. JSON never contains a raw newline, so
/// one line is one message; this works the same over a socket, a pipe or a serial port.
public struct LineFramer: Sendable {
    private var buffer: [UInt8] = []
    /// How far `buffer` is known to hold no newline: a long frame arriving in many small reads
    /// is scanned once, not once per read.
    private var scanned = 0
    /// A frame longer than this is a protocol error, not a reason to use all memory.
    public let maxFrame: Int

    public init(maxFrame: Int = 16 << 20) { self.maxFrame = maxFrame }

    /// Adds bytes; returns the complete frames they finish, without their newlines.
    public mutating func push(_ bytes: some Sequence<UInt8>) throws(FrameTooLong) -> [[UInt8]] {
        buffer.append(contentsOf: bytes)
        var frames: [[UInt8]] = []
        var start = 0
        while let nl = buffer[max(start, scanned)...].firstIndex(of: 10) {
            frames.append(Array(buffer[start..<nl]))
            start = nl + 1
        }
        buffer.removeFirst(start)
        scanned = buffer.count
        if buffer.count > maxFrame { throw FrameTooLong(limit: maxFrame) }
        return frames
    }

    /// Bytes received after the last complete frame.
    public var pending: Int { buffer.count }
}

public struct FrameTooLong: Error, Sendable, CustomStringConvertible {
    public let limit: Int
    public var description: String { "a message exceeded \(limit) bytes" }
}
