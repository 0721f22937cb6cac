// Placeholder so the target builds; the tokenizer lives here.
