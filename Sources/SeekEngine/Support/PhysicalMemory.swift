import Foundation

/// The machine's physical memory: what the KV cache and the workspace are checked against before they
/// are reserved, so that a huge context fails with a message instead of an allocation abort.
public enum PhysicalMemory {
    /// MemTotal from /proc/meminfo (bytes), else Foundation's figure.
    public static var bytes: Int {
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
           let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") {
            return kilobytes * 1024
        }
        return Int(clamping: ProcessInfo.processInfo.physicalMemory)
    }
}

/// Sizes computed from numbers read from files and flags, with overflow checks: a product that
/// overflows is reported as nil, never trapped or wrapped.
public enum CheckedSize {
    /// The product of `factors`, or nil if it overflows Int (or a factor is negative).
    public static func product(_ factors: Int...) -> Int? { product(factors) }

    public static func product(_ factors: [Int]) -> Int? {
        var result = 1
        for factor in factors {
            guard factor >= 0 else { return nil }
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = next
        }
        return result
    }

    /// The sum, or nil on overflow.
    public static func sum(_ terms: [Int]) -> Int? {
        var result = 0
        for term in terms {
            let (next, overflow) = result.addingReportingOverflow(term)
            if overflow { return nil }
            result = next
        }
        return result
    }
}
