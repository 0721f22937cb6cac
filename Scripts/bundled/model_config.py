"""seek-mini's architecture, written exactly as the config.json it ships with (DeepSeek's original format:
`rope_scaling` with type "yarn", per-expert tensors), plus the corpus/tokenization helpers the scripts share."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")
REPO = os.path.dirname(os.path.dirname(HERE))
MODEL_DIR = os.path.join(REPO, "Models", "seek-mini")
CONTEXT = 256  # training window; yarn (factor 4 over 256) lets the config claim 1024 positions

CONFIG = {
    "architectures": ["DeepseekV2ForCausalLM"],
    "model_type": "deepseek_v2",
    "vocab_size": 4096,
    "hidden_size": 256,
    "intermediate_size": 512,
    "moe_intermediate_size": 128,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 4,
    "n_shared_experts": 1,
    "n_routed_experts": 8,
    "num_experts_per_tok": 2,
    "first_k_dense_replace": 1,
    "moe_layer_freq": 1,
    "kv_lora_rank": 64,
    "q_lora_rank": None,
    "qk_nope_head_dim": 32,
    "qk_rope_head_dim": 16,
    "v_head_dim": 32,
    "topk_method": "greedy",
    "n_group": 1,
    "topk_group": 1,
    "norm_topk_prob": False,
    "routed_scaling_factor": 1.0,
    "scoring_func": "softmax",
    "aux_loss_alpha": 0.01,
    "seq_aux": False,
    "hidden_act": "silu",
    "max_position_embeddings": 1024,
    "rope_theta": 10000,
    "rope_scaling": {
        "type": "yarn",
        "factor": 4,
        "original_max_position_embeddings": CONTEXT,
        "beta_fast": 32,
        "beta_slow": 1,
        "mscale": 0.707,
        "mscale_all_dim": 0.707,
    },
    "rms_norm_eps": 1e-06,
    "tie_word_embeddings": False,
    "bos_token_id": 0,
    "eos_token_id": 1,
    "torch_dtype": "bfloat16",
    "attention_bias": False,
    "attention_dropout": 0.0,
    "initializer_range": 0.02,
    "use_cache": True,
    "pretraining_tp": 1,
}


def hf_config():
    """The same config as transformers builds it from config.json."""
    from transformers import DeepseekV2Config
    return DeepseekV2Config(**json.loads(json.dumps(CONFIG)))


def load_documents(split):
    with open(os.path.join(BUILD, f"{split}.jsonl"), encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line in handle]


def tokenized_documents(split):
    """Each document as [BOS] + ids + [EOS], the shape the model sees in training and evaluation."""
    from tokenizers import Tokenizer
    tokenizer = Tokenizer.from_file(os.path.join(BUILD, "tokenizer.json"))
    bos, eos = CONFIG["bos_token_id"], CONFIG["eos_token_id"]
    encodings = tokenizer.encode_batch(load_documents(split), add_special_tokens=False)
    return [[bos] + e.ids + [eos] for e in encodings]


def heldout_windows():
    """Held-out documents concatenated and cut into consecutive CONTEXT-token windows (last partial one kept)."""
    stream = [t for doc in tokenized_documents("heldout") for t in doc]
    return [stream[i:i + CONTEXT] for i in range(0, len(stream), CONTEXT) if len(stream[i:i + CONTEXT]) > 1]
