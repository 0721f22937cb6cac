import Foundation

/// Ctrl-C while chatting: a SIGINT handler that sets a flag, which the reply loop checks between
/// tokens, and writes a byte to a pipe, which wakes the line editor's `poll` (a flag alone would miss
/// a Ctrl-C that lands just before the editor starts waiting).
enum Interrupt {
    // Shared with the signal handler, so raw memory rather than Swift globals (whose exclusivity checks
    // could trip if the signal landed mid-access): [0] the flag, [1] the pipe's write end, [2] its read end.
    nonisolated(unsafe) private static let state: UnsafeMutablePointer<Int32> = {
        let pointer = UnsafeMutablePointer<Int32>.allocate(capacity: 3)
        pointer.initialize(repeating: -1, count: 3)
        pointer[0] = 0
        return pointer
    }()

    /// Installs the handler, without SA_RESTART so that blocking calls return EINTR at once.
    static func install() {
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends {
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
            state[1] = ends[1]
            state[2] = ends[0]
        }
        var action = sigaction()
        let handler: @convention(c) (Int32) -> Void = { _ in
            Interrupt.state[0] = 1
            var byte: UInt8 = 1
            if Interrupt.state[1] >= 0 { _ = Foundation.write(Interrupt.state[1], &byte, 1) }
        }
        #if os(Linux)
        action.__sigaction_handler.sa_handler = handler
        #else
        action.__sigaction_u.__sa_handler = handler
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }

    static var isPending: Bool { state[0] != 0 }

    /// The descriptor that becomes readable on Ctrl-C (-1 before `install`).
    static var wakeDescriptor: Int32 { state[2] }

    /// Forgets a pending Ctrl-C; returns whether there was one.
    @discardableResult
    static func clear() -> Bool {
        var drain = [UInt8](repeating: 0, count: 64)
        if state[2] >= 0 { while read(state[2], &drain, drain.count) > 0 {} }
        let was = state[0] != 0
        state[0] = 0
        return was
    }
}
