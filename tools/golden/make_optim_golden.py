#!/usr/bin/python3
"""Writes the PyTorch reference file for ZeroLM's optimisers, gradient clipping and learning-rate schedule.

Run with Debian's PyTorch:  /usr/bin/python3 tools/golden/make_optim_golden.py
Writes src/test/resources/golden/optim.safetensors with the safetensors writer of make_golden.py.
See the "optim.safetensors" section of tools/golden/README.md for the tensor names.
"""
import math

import torch

from make_golden import Golden, OUT_DIR  # noqa: F401  (OUT_DIR: Golden.write puts the file there)

STEPS = 5
LRS = [0.1, 0.08, 0.05, 0.03, 0.01]      # the base learning rate of each step, as a scheduler would set it
NO_DECAY_LR_SCALE = 0.5                  # the second group runs at half the base learning rate
SKIPPED = {("c", 2)}                     # parameter c has no gradient at step 2, so the optimiser skips it


def make_params(init):
    return {name: t.clone().requires_grad_(True) for name, t in init.items()}


def run_case(g, case, init, grads, make_optimizer, decay, weight_decay):
    """Steps an optimiser with two groups ({W}, with weight decay; {b, c}, without) through the fixed grads."""
    params = make_params(init)
    groups = [
        {"params": [params["W"]], "weight_decay": weight_decay if decay else 0.0, "lr": LRS[0]},
        {"params": [params["b"], params["c"]], "weight_decay": 0.0, "lr": LRS[0] * NO_DECAY_LR_SCALE},
    ]
    opt = make_optimizer(groups)
    for step in range(STEPS):
        opt.param_groups[0]["lr"] = LRS[step]
        opt.param_groups[1]["lr"] = LRS[step] * NO_DECAY_LR_SCALE
        for name, p in params.items():
            p.grad = None if (name, step) in SKIPPED else grads[step][name].clone()
        opt.step()
        for name, p in params.items():
            g.put(f"{case}.{step}.{name}", p.clone())   # clone: the next step updates p in place


def case_optimizers(g):
    torch.manual_seed(7)
    init = {"W": torch.randn(3, 4), "b": torch.randn(4), "c": torch.randn(2, 3)}
    grads = [{name: torch.randn(t.shape) for name, t in init.items()} for _ in range(STEPS)]
    for name, t in init.items():
        g.put(f"init.{name}", t)
    for step in range(STEPS):
        for name, t in grads[step].items():
            g.put(f"grad.{step}.{name}", t)
    g.put("lr", torch.tensor(LRS))

    sgd = torch.optim.SGD
    run_case(g, "sgd", init, grads, lambda gr: sgd(gr, lr=LRS[0]), decay=True, weight_decay=0.1)
    run_case(g, "sgd_momentum", init, grads, lambda gr: sgd(gr, lr=LRS[0], momentum=0.9), decay=True, weight_decay=0.1)
    run_case(g, "sgd_nesterov", init, grads, lambda gr: sgd(gr, lr=LRS[0], momentum=0.9, nesterov=True),
             decay=True, weight_decay=0.1)
    run_case(g, "adam", init, grads, lambda gr: torch.optim.Adam(gr, lr=LRS[0], betas=(0.9, 0.999), eps=1e-8),
             decay=True, weight_decay=0.1)
    run_case(g, "adamw", init, grads, lambda gr: torch.optim.AdamW(gr, lr=LRS[0], betas=(0.9, 0.95), eps=1e-8),
             decay=True, weight_decay=0.1)


def case_clip(g):
    torch.manual_seed(8)
    for case, max_norm in [("clip", 1.0), ("noclip", 100.0)]:                # total norm is about 4
        a = torch.randn(3, 4).requires_grad_(True)
        b = torch.randn(5).requires_grad_(True)
        a.grad = torch.randn(3, 4)
        b.grad = torch.randn(5)
        g.put(f"{case}.in.a", a.grad.clone())
        g.put(f"{case}.in.b", b.grad.clone())
        total = torch.nn.utils.clip_grad_norm_([a, b], max_norm)
        g.put(f"{case}.total_norm", total)
        g.put(f"{case}.out.a", a.grad)
        g.put(f"{case}.out.b", b.grad)
        g.meta(f"{case}.max_norm", max_norm)


def nanogpt_get_lr(it, learning_rate, min_lr, warmup_iters, lr_decay_iters):
    """get_lr of karpathy/nanoGPT train.py (warmup written as (it + 1) / (warmup_iters + 1))."""
    if it < warmup_iters:
        return learning_rate * (it + 1) / (warmup_iters + 1)
    if it > lr_decay_iters:
        return min_lr
    decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
    assert 0 <= decay_ratio <= 1
    coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
    return min_lr + coeff * (learning_rate - min_lr)


def case_schedule(g):
    max_lr, min_lr, warmup, total = 6e-4, 6e-5, 10, 100
    values = [nanogpt_get_lr(it, max_lr, min_lr, warmup, total) for it in range(0, 121)]
    g.put("cosine.lr", torch.tensor(values, dtype=torch.float64).to(torch.float32))
    g.meta("cosine.max_lr", max_lr)
    g.meta("cosine.min_lr", min_lr)
    g.meta("cosine.warmup_steps", warmup)
    g.meta("cosine.total_steps", total)


def main():
    torch.set_num_threads(1)
    g = Golden("optim", seed="7,8")
    g.meta("generator", "tools/golden/make_optim_golden.py")
    g.meta("steps", STEPS)
    g.meta("no_decay_lr_scale", NO_DECAY_LR_SCALE)
    g.meta("weight_decay", 0.1)
    g.meta("skipped", "c at step 2")
    g.meta("adam.betas", "0.9,0.999")
    g.meta("adamw.betas", "0.9,0.95")
    g.meta("eps", 1e-8)
    g.meta("momentum", 0.9)
    case_optimizers(g)
    case_clip(g)
    case_schedule(g)
    g.write("optim.safetensors")


if __name__ == "__main__":
    main()
