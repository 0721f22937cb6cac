#!/usr/bin/env python3
"""Held-out evaluation of the exported Models/seek-mini (bf16 weights, float32 compute, transformers).

Perplexity per token over every held-out window (documents as [BOS] text [EOS], concatenated, cut into
CONTEXT-token windows; each window predicts its tokens 2..n from the ones before), compared with a unigram
model of the training tokens (add-one smoothing) scored on exactly the same tokens. Also prints a few greedy
and sampled completions. Writes EVAL.md next to this script.
"""
import collections
import math
import os
import sys

import torch
import torch.nn.functional as F

from model_config import CONFIG, CONTEXT, HERE, MODEL_DIR, heldout_windows, tokenized_documents

PROMPTS = ["In the beginning", "And the LORD said unto Moses,", "A wise man", "Love is", "The computer"]


def completions(model, tokenizer, prompts, sample, seed=7, new_tokens=40):
    torch.manual_seed(seed)
    results = []
    for prompt in prompts:
        ids = torch.tensor([[CONFIG["bos_token_id"]] + tokenizer.encode(prompt, add_special_tokens=False)])
        options = dict(do_sample=True, temperature=0.8, top_p=0.95) if sample else dict(do_sample=False)
        with torch.no_grad():
            out = model.generate(ids, max_new_tokens=new_tokens, pad_token_id=CONFIG["eos_token_id"], **options)
        results.append(tokenizer.decode(out[0].tolist(), skip_special_tokens=True))
    return results


def main():
    torch.set_num_threads(1)
    from transformers import AutoModelForCausalLM, AutoTokenizer
    model = AutoModelForCausalLM.from_pretrained(MODEL_DIR, dtype=torch.float32).eval()
    tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)

    windows = heldout_windows()
    model_nll, targets = 0.0, []
    with torch.no_grad():
        for window in windows:
            ids = torch.tensor([window])
            logits = model(input_ids=ids).logits[0, :-1].float()
            model_nll += F.cross_entropy(logits, ids[0, 1:], reduction="sum").item()
            targets += window[1:]
    counts = collections.Counter(t for doc in tokenized_documents("train") for t in doc)
    total = sum(counts.values()) + CONFIG["vocab_size"]
    unigram_nll = -sum(math.log((counts[t] + 1) / total) for t in targets)
    n = len(targets)
    model_ppl, unigram_ppl = math.exp(model_nll / n), math.exp(unigram_nll / n)
    print(f"held-out tokens scored: {n}; seek-mini ppl {model_ppl:.2f}; unigram ppl {unigram_ppl:.2f}")

    greedy = completions(model, tokenizer, PROMPTS, sample=False)
    sampled = completions(model, tokenizer, PROMPTS, sample=True)
    lines = [
        "# seek-mini held-out evaluation",
        "",
        "Produced by `Scripts/bundled/evaluate.py` with Hugging Face transformers on the exported folder",
        "`Models/seek-mini` (bf16 weights, float32 compute).",
        "",
        f"Held-out set: every document whose index within its source is 7 mod 40 (never trained on); "
        f"{len(windows)} windows of up to {CONTEXT} tokens, {n} predicted tokens.",
        "",
        "| model | perplexity per token | nats per token |",
        "|---|---|---|",
        f"| seek-mini | {model_ppl:.2f} | {model_nll / n:.3f} |",
        f"| unigram (training-token frequencies, add-one) | {unigram_ppl:.2f} | {unigram_nll / n:.3f} |",
        "",
        "## Greedy completions (transformers)",
        "",
        *[f"- `{text!r}`" for text in greedy],
        "",
        "## Sampled completions (temperature 0.8, top-p 0.95, seed 7; transformers)",
        "",
        *[f"- `{text!r}`" for text in sampled],
        "",
    ]
    extra = sys.argv[1:]  # optional training summary lines, e.g. from run_pipeline.sh
    if extra:
        lines += ["## Training", "", *[f"- {line}" for line in extra], ""]
    with open(os.path.join(HERE, "EVAL.md"), "w") as handle:
        handle.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
