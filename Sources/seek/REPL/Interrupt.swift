import Foundation

/// Ctrl-C while chatting: a SIGINT handler that only sets a flag, which the reply loop checks between
/// tokens and the line editor checks when its wait for a key is interrupted.
enum Interrupt {
    // Written by the signal handler, read by the main thread. A raw pointer: Swift's exclusivity checks
    // on a global variable could trip if the signal landed mid-access; an aligned Int32 store cannot tear.
    nonisolated(unsafe) private static let flag: UnsafeMutablePointer<Int32> = {
        let pointer = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return pointer
    }()

    /// Installs the handler. Without SA_RESTART, so a blocking read or poll returns EINTR at once.
    static func install() {
        _ = flag  // initialize before any signal can arrive
        var action = sigaction()
        #if os(Linux)
        action.__sigaction_handler.sa_handler = { _ in Interrupt.flag.pointee = 1 }
        #else
        action.__sigaction_u.__sa_handler = { _ in Interrupt.flag.pointee = 1 }
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }

    static var isPending: Bool { flag.pointee != 0 }

    /// Forgets a pending Ctrl-C; returns whether there was one.
    @discardableResult
    static func clear() -> Bool {
        let was = flag.pointee != 0
        flag.pointee = 0
        return was
    }
}
