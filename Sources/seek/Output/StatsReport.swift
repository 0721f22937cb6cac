import Foundation
import SeekEngine

/// Timings in the words `/stats` and `--verbose` use.
enum StatsReport {
    static func lines(_ stats: GenerationStats) -> [String] {
        [
            String(format: "prompt      %d tokens (%d reused from the cache, %d computed)", stats.promptTokens, stats.reusedPromptTokens, stats.prefilledTokens),
            String(format: "prefill     %.1f ms, %.1f tokens/s", stats.prefillSeconds * 1000, stats.prefillTokensPerSecond),
            String(format: "first token %.1f ms", stats.timeToFirstToken * 1000),
            String(format: "decode      %d tokens, %.1f ms, %.1f tokens/s", stats.generatedTokens, stats.decodeSeconds * 1000, stats.decodeTokensPerSecond),
        ]
    }

    /// One line for --verbose after each reply.
    static func oneLine(_ stats: GenerationStats) -> String {
        String(format: "[prompt %d tokens (%d new) at %.1f tokens/s, first token %.0f ms, %d tokens at %.1f tokens/s]",
               stats.promptTokens, stats.prefilledTokens, stats.prefillTokensPerSecond, stats.timeToFirstToken * 1000,
               stats.generatedTokens, stats.decodeTokensPerSecond)
    }
}
