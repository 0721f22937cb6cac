#!/usr/bin/env python3
"""Exports build/best.pt as the Hugging Face folder Models/seek-mini/ and proves transformers reads it right.

  config.json             model_config.CONFIG verbatim (DeepSeek's original format, rope_scaling yarn)
  model.safetensors       bf16, DeepSeek's per-expert tensor names (model.layers.N.mlp.experts.E.gate_proj...)
  tokenizer.json, tokenizer_config.json   from build/ (no chat template: a completion model)
  generation_config.json  sampling defaults

Check: AutoModelForCausalLM.from_pretrained(folder) must be DeepseekV2ForCausalLM and give the same float32
logits as the trained model with its weights rounded to bf16 (bit-for-bit up to summation order).
"""
import json
import os
import re
import shutil

import torch
from safetensors.torch import save_file

from model_config import BUILD, CONFIG, MODEL_DIR, hf_config


def per_expert_state_dict(state):
    """transformers keeps routed experts fused ([E, 2I, H] gate_up, [E, H, I] down); DeepSeek's files don't."""
    out = {}
    intermediate = CONFIG["moe_intermediate_size"]
    for name, tensor in state.items():
        fused = re.fullmatch(r"(model\.layers\.\d+\.mlp\.experts)\.(gate_up_proj|down_proj)", name)
        if not fused:
            out[name] = tensor
            continue
        prefix, kind = fused.groups()
        for expert in range(tensor.shape[0]):
            if kind == "gate_up_proj":
                out[f"{prefix}.{expert}.gate_proj.weight"] = tensor[expert, :intermediate]
                out[f"{prefix}.{expert}.up_proj.weight"] = tensor[expert, intermediate:]
            else:
                out[f"{prefix}.{expert}.down_proj.weight"] = tensor[expert]
    return out


def main():
    torch.set_num_threads(1)
    checkpoint = torch.load(os.path.join(BUILD, "best.pt"), weights_only=False)
    print(f"exporting checkpoint from step {checkpoint['step']} (held-out loss {checkpoint['heldout_loss']:.4f})")
    os.makedirs(MODEL_DIR, exist_ok=True)
    tensors = {name: t.detach().to(torch.bfloat16).contiguous()
               for name, t in per_expert_state_dict(checkpoint["model"]).items()}
    save_file(dict(sorted(tensors.items())), os.path.join(MODEL_DIR, "model.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(MODEL_DIR, "config.json"), "w") as handle:
        json.dump(CONFIG, handle, indent=2)
        handle.write("\n")
    with open(os.path.join(MODEL_DIR, "generation_config.json"), "w") as handle:
        json.dump({"bos_token_id": CONFIG["bos_token_id"], "eos_token_id": CONFIG["eos_token_id"],
                   "do_sample": True, "temperature": 0.8, "top_p": 0.95}, handle, indent=2)
        handle.write("\n")
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(os.path.join(BUILD, name), os.path.join(MODEL_DIR, name))
    count = sum(t.numel() for t in tensors.values())
    size = os.path.getsize(os.path.join(MODEL_DIR, "model.safetensors"))
    print(f"{len(tensors)} tensors, {count} parameters, model.safetensors {size / 1e6:.2f} MB")

    # The oracle: transformers reading the folder as any user would.
    from transformers import AutoModelForCausalLM, DeepseekV2ForCausalLM
    loaded = AutoModelForCausalLM.from_pretrained(MODEL_DIR, dtype=torch.float32)
    assert type(loaded).__name__ == "DeepseekV2ForCausalLM", type(loaded)
    assert loaded.config.rope_parameters["rope_type"] == "yarn", loaded.config.rope_parameters
    trained = DeepseekV2ForCausalLM(hf_config()).float()
    trained.load_state_dict({k: v.to(torch.bfloat16).float() for k, v in checkpoint["model"].items()})
    trained.eval()
    loaded.eval()
    ids = torch.tensor([[0] + list(range(100, 400))])  # past original_max_position_embeddings
    with torch.no_grad():
        difference = (loaded(input_ids=ids).logits - trained(input_ids=ids).logits).abs().max().item()
    print(f"from_pretrained vs trained (bf16-rounded) logits: max |diff| = {difference:.2e}")
    assert difference < 1e-4, difference
    print(f"wrote {MODEL_DIR}")


if __name__ == "__main__":
    main()
