#!/usr/bin/env python3
"""Trains seek-mini from scratch with a fixed seed, on one CPU thread, using transformers' own
DeepseekV2ForCausalLM (so the trained weights mean exactly what the exported config says).

Data: build/train.jsonl documents as [BOS] text [EOS], shuffled per epoch, packed into CONTEXT-token windows.
Loss: next-token cross-entropy + a small switch-style load-balancing term on the routers (aux_loss_alpha).
Writes build/checkpoint.pt (latest, resumable) and build/best.pt (lowest held-out loss seen).
"""
import argparse
import math
import os
import random
import time

import torch
import torch.nn.functional as F

from model_config import BUILD, CONFIG, CONTEXT, heldout_windows, hf_config, tokenized_documents

SEED = 1234


def epoch_windows(documents, epoch):
    order = list(range(len(documents)))
    random.Random(SEED + epoch).shuffle(order)
    stream = [t for i in order for t in documents[i]]
    windows = [stream[i:i + CONTEXT] for i in range(0, len(stream) - CONTEXT + 1, CONTEXT)]
    random.Random(SEED + 1000 + epoch).shuffle(windows)
    return windows


def batches(documents, batch_size, start_step):
    step, epoch = 0, 0
    while True:
        windows = epoch_windows(documents, epoch)
        for i in range(0, len(windows) - batch_size + 1, batch_size):
            if step >= start_step:
                yield epoch, torch.tensor(windows[i:i + batch_size])
            step += 1
        epoch += 1


def learning_rate(step, total, peak, warmup):
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def heldout_loss(model, windows):
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for w in windows:
            ids = torch.tensor([w])
            logits = model(input_ids=ids).logits[0, :-1]
            total += F.cross_entropy(logits.float(), ids[0, 1:], reduction="sum").item()
            count += len(w) - 1
    model.train()
    return total / count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--eval-every", type=int, default=100)
    parser.add_argument("--max-minutes", type=float, default=60, help="stop early (keeping best.pt) past this")
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    random.seed(SEED)
    from transformers import DeepseekV2ForCausalLM
    model = DeepseekV2ForCausalLM(hf_config()).float()
    model.train()
    print(f"parameters: {sum(p.numel() for p in model.parameters())}")
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "embed" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "embed" not in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=args.lr, betas=(0.9, 0.95), eps=1e-8)

    router_logits = []
    for module in model.modules():
        if type(module).__name__ == "DeepseekV2TopkRouter":
            module.register_forward_hook(lambda _m, _i, out: router_logits.append(out[0]))
    experts, top_k, alpha = CONFIG["n_routed_experts"], CONFIG["num_experts_per_tok"], CONFIG["aux_loss_alpha"]

    checkpoint_path, best_path = os.path.join(BUILD, "checkpoint.pt"), os.path.join(BUILD, "best.pt")
    start_step, best = 0, float("inf")
    if os.path.exists(checkpoint_path):
        state = torch.load(checkpoint_path, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start_step, best = state["step"], state["best"]
        torch.set_rng_state(state["rng"])
        print(f"resumed at step {start_step}")

    documents = tokenized_documents("train")
    print(f"train tokens: {sum(map(len, documents))}")
    eval_windows = heldout_windows()[::6]  # a fixed ~1/6 of the held-out windows during training
    started = time.time()
    data = batches(documents, args.batch, start_step)
    for step in range(start_step, args.steps):
        epoch, batch = next(data)
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, args.steps, args.lr, args.warmup)
        router_logits.clear()
        logits = model(input_ids=batch).logits
        lm_loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
        aux = 0.0
        for scores in router_logits:
            probabilities = scores.softmax(dim=-1)
            chosen = torch.topk(probabilities, top_k, dim=-1).indices
            load = F.one_hot(chosen, experts).float().sum(dim=1).mean(dim=0) / top_k
            aux = aux + experts * (load * probabilities.mean(dim=0)).sum()
        loss = lm_loss + alpha * aux
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        elapsed = time.time() - started
        if step % 10 == 0:
            print(f"step {step} epoch {epoch} loss {lm_loss.item():.4f} aux {float(aux.detach() if torch.is_tensor(aux) else aux):.3f} "
                  f"lr {optimizer.param_groups[0]['lr']:.2e} elapsed {elapsed / 60:.1f} min", flush=True)
        last = step + 1 == args.steps or elapsed > args.max_minutes * 60
        if (step + 1) % args.eval_every == 0 or last:
            value = heldout_loss(model, eval_windows)
            improved = value < best
            if improved:
                best = value
                torch.save({"model": model.state_dict(), "step": step + 1, "heldout_loss": value}, best_path)
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step + 1,
                        "best": best, "rng": torch.get_rng_state()}, checkpoint_path)
            print(f"eval step {step + 1} heldout loss {value:.4f} ppl {math.exp(value):.2f}"
                  f"{' (best)' if improved else ''}", flush=True)
        if last:
            break
    print(f"done in {(time.time() - started) / 60:.1f} min, best heldout loss {best:.4f}")


if __name__ == "__main__":
    main()
