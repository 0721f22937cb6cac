import Foundation

/// Unbuffered writes to stdout and stderr (streamed tokens must appear at once), and the one-line
/// error format every failure uses.
///
/// Output that cannot be written ends seek at once with status 1: `error: stdout: No space left on
/// device` on stderr, or nothing more for a closed pipe (EPIPE: the reader has gone, as with `| head`).
/// seek never reports success for output that was lost.
enum Console {
    static func out(_ text: String) {
        if let code = write(text, to: STDOUT_FILENO) { outputFailed(code) }
    }

    static func err(_ text: String) { _ = write(text, to: STDERR_FILENO) }  // nowhere left to report to

    /// Prints "error: MESSAGE" on stderr.
    static func error(_ message: String) { err("error: \(message)\n") }
    static func warning(_ message: String) { err("warning: \(message)\n") }

    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// Whether stdin was closed when seek started (`<&-`); fd 0 then holds /dev/null, so that no file
    /// seek opens later can land on it.
    nonisolated(unsafe) static var stdinWasClosed = false

    /// Makes the standard descriptors safe before anything else runs: SIGPIPE and SIGXFSZ ignored (a
    /// closed pipe or a file size limit is a write error, handled, not a silent death), and closed descriptors 0-2 taken by
    /// /dev/null so that a model file opened later never becomes "stdout". A closed stdout gets a
    /// read-only /dev/null: the first write then fails (EBADF) and is reported.
    static func prepareStandardDescriptors() {
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)  // past a file size limit: write fails with EFBIG, reported, no signal
        for (descriptor, flags) in [(STDIN_FILENO, O_RDONLY), (STDOUT_FILENO, O_RDONLY), (STDERR_FILENO, O_WRONLY)] {
            guard fcntl(descriptor, F_GETFD) == -1, errno == EBADF else { continue }
            if descriptor == STDIN_FILENO { stdinWasClosed = true }
            let null = open("/dev/null", flags)
            if null >= 0, null != descriptor {
                dup2(null, descriptor)
                close(null)
            }
        }
    }

    private static func outputFailed(_ code: Int32) -> Never {
        if code != EPIPE { error("stdout: " + String(cString: strerror(code))) }
        exit(1)
    }

    /// Writes all of `text`; returns errno when that fails.
    private static func write(_ text: String, to descriptor: Int32) -> Int32? {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Foundation.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }
}
