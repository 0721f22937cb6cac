import ArgumentParser

/// Runtime failures of a command: print one "error: …" line on stderr and exit with status 1, no
/// stack trace. (Usage errors go through ArgumentParser's ValidationError instead, with the usage.)
enum CommandFailure {
    static func reporting<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let exit as ExitCode {
            throw exit
        } catch {
            Console.error(ErrorMessage.text(for: error))
            throw ExitCode.failure
        }
    }

    static func fail(_ message: String) -> ExitCode {
        Console.error(message)
        return ExitCode.failure
    }
}
