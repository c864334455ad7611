#!/usr/bin/env python3
"""Reference run for ZeroLM's quality check: nanoGPT's CPU configuration trained with PyTorch on the same text.

Usage (Debian's python3-torch):
    ./zerolm data export --out /tmp/brown          # writes train.txt and val.txt, ZeroLM's document split
    /usr/bin/python3 bench/pytorch_train_reference.py /tmp/brown --threads 2

The model is nanoGPT's (pre-LayerNorm GPT, learned positions, tied head, GELU tanh form as ZeroLM's GPT-2
blocks, bias on). Characters are encoded with the sorted set of characters of train+val, as ZeroLM's char
tokenizer does. Prints the validation loss (mean over --eval-batches random batches) and the wall time.
"""
import argparse
import math
import os
import sys
import time

import fair_torch_env  # noqa: E402  (bench/, next to this script)

_threads = next((int(sys.argv[i + 1]) for i, v in enumerate(sys.argv[:-1]) if v == "--threads"), os.cpu_count())
print(fair_torch_env.apply(_threads), flush=True)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class Block(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.n_head = n_head
        self.ln_1 = nn.LayerNorm(n_embd)
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.c_fc = nn.Linear(n_embd, 4 * n_embd)
        self.mlp_proj = nn.Linear(4 * n_embd, n_embd)

    def attn(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, vocab, block, n_layer, n_head, n_embd):
        super().__init__()
        self.wte = nn.Embedding(vocab, n_embd)
        self.wpe = nn.Embedding(block, n_embd)
        self.h = nn.ModuleList(Block(n_embd, n_head) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd)
        self.apply(self._init)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight") or name.endswith("mlp_proj.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * n_layer))

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, 0.0, 0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def forward(self, idx, targets):
        T = idx.size(1)
        x = self.wte(idx) + self.wpe(torch.arange(T))
        for b in self.h:
            x = b(x)
        logits = self.ln_f(x) @ self.wte.weight.t()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--iters", type=int, default=2000)
    ap.add_argument("--eval-batches", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1337)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train = open(os.path.join(a.data_dir, "train.txt"), encoding="utf-8").read()
    val = open(os.path.join(a.data_dir, "val.txt"), encoding="utf-8").read()
    chars = sorted(set(train + val))
    stoi = {c: i for i, c in enumerate(chars)}
    train_ids = torch.tensor([stoi[c] for c in train], dtype=torch.long)
    val_ids = torch.tensor([stoi[c] for c in val], dtype=torch.long)
    block, batch = 64, 12
    model = GPT(len(chars), block, 4, 4, 128)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.99))

    def get_batch(ids):
        ix = torch.randint(len(ids) - block - 1, (batch,))
        x = torch.stack([ids[i:i + block] for i in ix])
        y = torch.stack([ids[i + 1:i + 1 + block] for i in ix])
        return x, y

    def lr_at(it, warmup=100, max_lr=1e-3, min_lr=1e-4):
        if it < warmup:
            return max_lr * (it + 1) / (warmup + 1)
        ratio = (it - warmup) / max(1, a.iters - warmup)
        return min_lr + 0.5 * (1 + math.cos(math.pi * min(1.0, ratio))) * (max_lr - min_lr)

    t0 = time.time()
    for it in range(a.iters):
        for g in opt.param_groups:
            g["lr"] = lr_at(it)
        x, y = get_batch(train_ids)
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if it % 200 == 0:
            print(f"step {it} loss {loss.item():.4f}", flush=True)
    train_time = time.time() - t0
    model.eval()
    with torch.no_grad():
        losses = [model(*get_batch(val_ids)).item() for _ in range(a.eval_batches)]
    print(f"pytorch val_loss {sum(losses) / len(losses):.4f} train_time_s {train_time:.1f} threads {a.threads}")


if __name__ == "__main__":
    main()
