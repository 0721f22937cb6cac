import Foundation

/// Where a forward pass spends its time, for `seek bench --verbose`: wall-clock seconds per phase,
/// accumulated over the passes measured. The model's phases report through `PhaseClock.measure`, which
/// costs one branch when profiling is off.
public struct PhaseTimes: Sendable, Equatable {
    public enum Phase: Int, CaseIterable, Sendable {
        case attention, experts, dense, lmHead

        public var name: String {
            switch self {
            case .attention: return "attention"
            case .experts: return "experts"
            case .dense: return "dense"
            case .lmHead: return "lm_head"
            }
        }
    }

    /// Seconds in each phase, indexed by Phase.rawValue.
    public var seconds = [Double](repeating: 0, count: Phase.allCases.count)
    /// Seconds of the whole passes (the phases plus embedding, norms, residual adds: "other").
    public var total = 0.0

    public init() {}

    public subscript(_ phase: Phase) -> Double { seconds[phase.rawValue] }
    public var other: Double { max(0, total - seconds.reduce(0, +)) }
}

/// The process-wide phase accumulator (the model runs one forward pass at a time; see DeepSeekModel).
enum PhaseClock {
    nonisolated(unsafe) private static var enabled = false
    nonisolated(unsafe) private static var times = PhaseTimes()

    /// Runs `body`, adding its wall time to `phase` while profiling.
    @inline(__always)
    static func measure<T>(_ phase: PhaseTimes.Phase, _ body: () throws -> T) rethrows -> T {
        guard enabled else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        defer { times.seconds[phase.rawValue] += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }
        return try body()
    }

    /// Profiles `body` (whose wall time is the total) and returns the phase times it accumulated.
    static func profile<T>(_ body: () throws -> T) rethrows -> (T, PhaseTimes) {
        times = PhaseTimes()
        enabled = true
        defer { enabled = false }
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        times.total = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        return (result, times)
    }
}
