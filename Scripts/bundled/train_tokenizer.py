#!/usr/bin/env python3
"""Trains seek-mini's byte-level BPE tokenizer (4096 ids) on build/train.jsonl.

The pipeline mirrors DeepSeek-LLM/V2's tokenizer.json structure so that anything that reads those reads this:
Split regexes (newlines, letter runs, punctuation runs, trailing whitespace) + individual Digits + ByteLevel,
a ByteLevel post-processor and decoder. Ids 0 and 1 are BOS and EOS; BOS is prepended by the caller because
tokenizer_config.json says add_bos_token (as with DeepSeek's own models).
Writes build/tokenizer.json and build/tokenizer_config.json.
"""
import json
import os

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")
VOCAB_SIZE = 4096
BOS, EOS = "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"


def build_tokenizer():
    tokenizer = Tokenizer(models.BPE(dropout=None, unk_token=None, fuse_unk=False, byte_fallback=False))
    split = lambda pattern: pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False)
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        split(r"[\r\n]"),
        split(r"\s?[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]+"),
        split("\\s?[!-/:-~\uff01-\uff0f\uff1a-\uff5e\u2018-\u201f\u3000-\u3002]+"),
        split(r"\s+$"),
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    tokenizer.post_processor = processors.ByteLevel(add_prefix_space=True, trim_offsets=False, use_regex=True)
    tokenizer.decoder = decoders.ByteLevel(add_prefix_space=True, trim_offsets=True, use_regex=True)
    return tokenizer


def documents():
    with open(os.path.join(BUILD, "train.jsonl"), encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)["text"]


def main():
    tokenizer = build_tokenizer()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE, min_frequency=2, show_progress=False,
                                  special_tokens=[BOS, EOS],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(documents(), trainer=trainer)
    assert tokenizer.get_vocab_size() == VOCAB_SIZE, tokenizer.get_vocab_size()
    assert tokenizer.token_to_id(BOS) == 0 and tokenizer.token_to_id(EOS) == 1
    tokenizer.save(os.path.join(BUILD, "tokenizer.json"))
    config = {
        "add_bos_token": True,
        "add_eos_token": False,
        "bos_token": BOS,
        "eos_token": EOS,
        "pad_token": EOS,
        "unk_token": None,
        "clean_up_tokenization_spaces": False,
        "legacy": True,
        "model_max_length": 1024,
        "tokenizer_class": "LlamaTokenizerFast",
    }
    with open(os.path.join(BUILD, "tokenizer_config.json"), "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    sample = "In the beginning God created the heaven and the earth. 1234 -- Mark Twain"
    print(tokenizer.encode(sample).tokens)


if __name__ == "__main__":
    main()
