/// The rows of one sequence in a batched forward pass: `count` consecutive rows of the batch from
/// `row` on, the tokens at positions position..<position + count of a sequence whose latents go to
/// `cache`. Everything but attention treats the batch as one matrix of rows; attention runs per span.
struct SequenceSpan {
    let row: Int
    let count: Int
    let position: Int
    let cache: LatentKVCache
}
