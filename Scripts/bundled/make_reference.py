#!/usr/bin/env python3
"""Reference data for seek's BundledModelTests: what Hugging Face transformers computes, in float32 on the
stored bf16 weights, for the shipped Models/seek-mini folder.

Tests/Data/seek-mini-reference.safetensors:
  heldout.ids     I32 [64]          BOS + the first 63 tokens of a held-out document (never trained on)
  heldout.logits  F32 [64, vocab]   logits at every position, one pass, no cache
  greedy.prompt_ids I32             BOS + the tokens of GREEDY_PROMPT
  greedy.ids      I32 [32]          greedy continuation through the KV cache, never stopping at EOS
  greedy.margins  F32 [32]          top-1 minus top-2 logit at each greedy step (how safe argmax is)
Tests/Data/seek-mini-reference.json describes the same, with the texts.
"""
import json
import os
import re

import numpy
import torch
from safetensors.numpy import save_file

from model_config import CONFIG, MODEL_DIR, REPO, load_documents

GREEDY_PROMPT = "And the LORD said unto Moses,"
HELDOUT_DOCUMENT = 0  # index in build/heldout.jsonl
HELDOUT_TOKENS, GREEDY_TOKENS = 64, 32


def main():
    torch.set_num_threads(1)
    from transformers import AutoModelForCausalLM, AutoTokenizer, DynamicCache
    model = AutoModelForCausalLM.from_pretrained(MODEL_DIR, dtype=torch.float32).eval()
    tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
    bos = CONFIG["bos_token_id"]

    document = load_documents("heldout")[HELDOUT_DOCUMENT]
    heldout = ([bos] + tokenizer.encode(document, add_special_tokens=False))[:HELDOUT_TOKENS]
    assert len(heldout) == HELDOUT_TOKENS
    with torch.no_grad():
        heldout_logits = model(input_ids=torch.tensor([heldout])).logits[0].float().numpy()

    prompt = [bos] + tokenizer.encode(GREEDY_PROMPT, add_special_tokens=False)
    cache = DynamicCache(config=model.config)
    generated, margins = [], []
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([prompt]), cache=cache, use_cache=True).logits[0, -1]
        for _ in range(GREEDY_TOKENS):
            top = torch.topk(logits, 2)
            generated.append(int(top.indices[0]))
            margins.append(float(top.values[0] - top.values[1]))
            logits = model(input_ids=torch.tensor([[generated[-1]]]), cache=cache, use_cache=True).logits[0, -1]
        # The same tokens without the cache: the continuation must not depend on it.
        full = model(input_ids=torch.tensor([prompt + generated])).logits[0]
        assert full[len(prompt) - 1:-1].argmax(-1).tolist() == generated

    out_dir = os.path.join(REPO, "Tests", "Data")
    os.makedirs(out_dir, exist_ok=True)
    save_file({
        "heldout.ids": numpy.array(heldout, dtype=numpy.int32),
        "heldout.logits": numpy.ascontiguousarray(heldout_logits, dtype=numpy.float32),
        "greedy.prompt_ids": numpy.array(prompt, dtype=numpy.int32),
        "greedy.ids": numpy.array(generated, dtype=numpy.int32),
        "greedy.margins": numpy.array(margins, dtype=numpy.float32),
    }, os.path.join(out_dir, "seek-mini-reference.safetensors"))
    import transformers
    description = {
        "model": "Models/seek-mini",
        "produced_by": f"Scripts/bundled/make_reference.py, transformers {transformers.__version__}, "
                       f"torch {torch.__version__}, float32 compute on the stored bf16 weights",
        "heldout": {"ids": "heldout.ids", "logits": "heldout.logits", "tokens": len(heldout),
                    "text": tokenizer.decode(heldout, skip_special_tokens=True),
                    "note": "BOS + first tokens of held-out document 0; logits at every position, no cache"},
        "greedy": {"prompt": GREEDY_PROMPT, "prompt_ids": prompt, "ids": generated,
                   "text": tokenizer.decode(generated, skip_special_tokens=True),
                   "min_margin": min(margins),
                   "note": "greedy through the KV cache, never stopping at EOS"},
        "tolerance": 1e-3,
    }
    with open(os.path.join(out_dir, "seek-mini-reference.json"), "w") as handle:
        text = json.dumps(description, indent=2, ensure_ascii=False)
        # Id lists on one line each: the file stays readable.
        text = re.sub(r"\[\s+([-\d,\s]+?)\s+\]", lambda m: "[" + ", ".join(m.group(1).split()).replace(",,", ",") + "]", text)
        handle.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
