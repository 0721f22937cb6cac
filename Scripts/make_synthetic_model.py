#!/usr/bin/env python3
"""Writes a synthetic DeepSeek-V2-Lite checkpoint: the real shapes and config, random bf16 weights.

For speed and memory benchmarks (`seek bench`), never for quality: the weights are noise.

    python3 Scripts/make_synthetic_model.py OUT_DIR [--layers 4] [--shard-gb 2] [--seed 0]

Writes OUT_DIR/config.json (DeepSeek-V2-Lite's real config with num_hidden_layers = --layers),
model-0000K-of-0000N.safetensors shards with model.safetensors.index.json (or one model.safetensors when
everything fits in one shard), and copies tokenizer.json / tokenizer_config.json from ../shared/tokenizer.
Tensor names are Hugging Face's per-expert names, as in ../shared/fixtures/tiny-lite. Weights are
normal with std 0.02 (the config's initializer_range, which keeps activations of order one); norms are 1.
Needs only numpy. 4 layers = about 2.25 B parameters = 4.5 GB.
"""
import argparse
import json
import os
import shutil
import struct
import sys

import numpy as np

HIDDEN = 2048
HEADS = 16
KV_LORA_RANK = 512
QK_NOPE, QK_ROPE, V_HEAD = 128, 64, 128
ROUTED_EXPERTS, MOE_INTERMEDIATE, ACTIVE_EXPERTS, SHARED_EXPERTS = 64, 1408, 6, 2
DENSE_INTERMEDIATE = 10944
VOCAB = 102400
STD = 0.02


def config(layers):
    """DeepSeek-V2-Lite's config.json (the original format, with rope_scaling), minus remote-code fields."""
    return {
        "architectures": ["DeepseekV2ForCausalLM"],
        "attention_bias": False,
        "attention_dropout": 0.0,
        "aux_loss_alpha": 0.001,
        "bos_token_id": 100000,
        "eos_token_id": 100001,
        "first_k_dense_replace": 1,
        "hidden_act": "silu",
        "hidden_size": HIDDEN,
        "initializer_range": 0.02,
        "intermediate_size": DENSE_INTERMEDIATE,
        "kv_lora_rank": KV_LORA_RANK,
        "max_position_embeddings": 163840,
        "model_type": "deepseek_v2",
        "moe_intermediate_size": MOE_INTERMEDIATE,
        "moe_layer_freq": 1,
        "n_group": 1,
        "n_routed_experts": ROUTED_EXPERTS,
        "n_shared_experts": SHARED_EXPERTS,
        "norm_topk_prob": False,
        "num_attention_heads": HEADS,
        "num_experts_per_tok": ACTIVE_EXPERTS,
        "num_hidden_layers": layers,
        "num_key_value_heads": HEADS,
        "pretraining_tp": 1,
        "q_lora_rank": None,
        "qk_nope_head_dim": QK_NOPE,
        "qk_rope_head_dim": QK_ROPE,
        "rms_norm_eps": 1e-06,
        "rope_scaling": {
            "beta_fast": 32,
            "beta_slow": 1,
            "factor": 40,
            "mscale": 0.707,
            "mscale_all_dim": 0.707,
            "original_max_position_embeddings": 4096,
            "type": "yarn",
        },
        "rope_theta": 10000,
        "routed_scaling_factor": 1.0,
        "scoring_func": "softmax",
        "seq_aux": True,
        "tie_word_embeddings": False,
        "topk_group": 1,
        "topk_method": "greedy",
        "torch_dtype": "bfloat16",
        "use_cache": True,
        "v_head_dim": V_HEAD,
        "vocab_size": VOCAB,
    }


def tensors(layers):
    """(name, shape, kind) in checkpoint order; kind is 'norm' (ones) or 'weight' (random)."""
    out = [("model.embed_tokens.weight", (VOCAB, HIDDEN), "weight")]
    for i in range(layers):
        p = f"model.layers.{i}."
        out += [
            (p + "input_layernorm.weight", (HIDDEN,), "norm"),
            (p + "self_attn.q_proj.weight", (HEADS * (QK_NOPE + QK_ROPE), HIDDEN), "weight"),
            (p + "self_attn.kv_a_proj_with_mqa.weight", (KV_LORA_RANK + QK_ROPE, HIDDEN), "weight"),
            (p + "self_attn.kv_a_layernorm.weight", (KV_LORA_RANK,), "norm"),
            (p + "self_attn.kv_b_proj.weight", (HEADS * (QK_NOPE + V_HEAD), KV_LORA_RANK), "weight"),
            (p + "self_attn.o_proj.weight", (HIDDEN, HEADS * V_HEAD), "weight"),
            (p + "post_attention_layernorm.weight", (HIDDEN,), "norm"),
        ]
        if i == 0:  # first_k_dense_replace = 1
            out += [
                (p + "mlp.gate_proj.weight", (DENSE_INTERMEDIATE, HIDDEN), "weight"),
                (p + "mlp.up_proj.weight", (DENSE_INTERMEDIATE, HIDDEN), "weight"),
                (p + "mlp.down_proj.weight", (HIDDEN, DENSE_INTERMEDIATE), "weight"),
            ]
            continue
        out.append((p + "mlp.gate.weight", (ROUTED_EXPERTS, HIDDEN), "weight"))
        for e in range(ROUTED_EXPERTS):
            q = f"{p}mlp.experts.{e}."
            out += [
                (q + "gate_proj.weight", (MOE_INTERMEDIATE, HIDDEN), "weight"),
                (q + "up_proj.weight", (MOE_INTERMEDIATE, HIDDEN), "weight"),
                (q + "down_proj.weight", (HIDDEN, MOE_INTERMEDIATE), "weight"),
            ]
        shared = SHARED_EXPERTS * MOE_INTERMEDIATE
        out += [
            (p + "mlp.shared_experts.gate_proj.weight", (shared, HIDDEN), "weight"),
            (p + "mlp.shared_experts.up_proj.weight", (shared, HIDDEN), "weight"),
            (p + "mlp.shared_experts.down_proj.weight", (HIDDEN, shared), "weight"),
        ]
    out += [("model.norm.weight", (HIDDEN,), "norm"), ("lm_head.weight", (VOCAB, HIDDEN), "weight")]
    return out


def to_bf16(values):
    """float32 array -> bf16 bit patterns (uint16), round to nearest even (no NaNs occur here)."""
    bits = values.view(np.uint32)
    bits = bits + (np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1)))
    return (bits >> np.uint32(16)).astype(np.uint16)


def write_tensor(f, shape, kind, rng):
    count = int(np.prod(shape))
    if kind == "norm":
        f.write(to_bf16(np.ones(count, dtype=np.float32)).tobytes())
        return
    chunk = 1 << 24
    for start in range(0, count, chunk):
        n = min(chunk, count - start)
        values = rng.standard_normal(n, dtype=np.float32)
        values *= np.float32(STD)
        f.write(to_bf16(values).tobytes())


def write_shard(path, entries, rng):
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, shape, _ in entries:
        size = int(np.prod(shape)) * 2
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for _, shape, kind in entries:
            write_tensor(f, shape, kind, rng)
    return offset


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="output folder (created)")
    parser.add_argument("--layers", type=int, default=4, help="number of decoder layers (default 4)")
    parser.add_argument("--shard-gb", type=float, default=2.0, help="largest shard size in GB (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.layers < 1:
        sys.exit("error: --layers must be at least 1")

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tokenizer_dir = os.path.join(os.path.dirname(root), "shared", "tokenizer")
    if not os.path.isdir(tokenizer_dir):
        tokenizer_dir = "/work/shared/tokenizer"
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config(args.layers), f, indent=2)
        f.write("\n")
    for name in ("tokenizer.json", "tokenizer_config.json"):
        source = os.path.join(tokenizer_dir, name)
        if os.path.exists(source):
            shutil.copyfile(source, os.path.join(args.out, name))
        else:
            print(f"warning: {source} not found; the folder has no {name}", file=sys.stderr)

    # Split into shards of at most --shard-gb (a tensor never spans two shards).
    limit = int(args.shard_gb * 1e9)
    shards, current, size = [], [], 0
    for entry in tensors(args.layers):
        bytes_ = int(np.prod(entry[1])) * 2
        if current and size + bytes_ > limit:
            shards.append(current)
            current, size = [], 0
        current.append(entry)
        size += bytes_
    shards.append(current)

    rng = np.random.default_rng(args.seed)
    total, weight_map = 0, {}
    for k, entries in enumerate(shards):
        name = "model.safetensors" if len(shards) == 1 else f"model-{k + 1:05d}-of-{len(shards):05d}.safetensors"
        total += write_shard(os.path.join(args.out, name), entries, rng)
        weight_map.update({entry[0]: name for entry in entries})
        print(f"wrote {name} ({len(entries)} tensors)", file=sys.stderr)
    if len(shards) > 1:
        with open(os.path.join(args.out, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
            f.write("\n")
    params = total // 2
    print(f"{args.out}: {args.layers} layers, {params / 1e9:.2f} B parameters, {total / 1e9:.2f} GB of bf16 weights")


if __name__ == "__main__":
    main()
