// libFuzzer target: the Jinja lexer, parser and interpreter. Any source must parse and render, or fail
// with a TemplateError; never trap, overflow the stack, or run past its (reduced) budget.

private let context = #"{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 2+2?"}, {"role": "assistant", "content": "<think>sum</think>4", "tool_calls": [{"type": "function", "function": {"name": "add", "arguments": "{\"a\": 2}"}}]}, {"role": "tool", "content": "4"}], "tools": [{"type": "function", "function": {"name": "add", "description": "Adds", "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}}}}], "add_generation_prompt": true, "bos_token": "<s>", "eos_token": "</s>", "n": 3, "f": 2.5, "z": null}"#

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    let budget = TemplateBudget(maxSteps: 20_000, maxOutputBytes: 1 << 20, maxDepth: 600)
    do {
        let template = try ChatTemplate(source: source, name: "fuzz", budget: budget)
        _ = try template.render(contextJSON: context)
    } catch is TemplateError {
    } catch {
        fatalError("not a TemplateError: \(type(of: error)) \(error)")
    }
    return 0
}
