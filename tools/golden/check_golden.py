#!/usr/bin/python3
"""Re-derives every golden file in float64 from its stored inputs, using only the conventions in README.md.

Run with:  /usr/bin/python3 tools/golden/check_golden.py
It reads the files with its own safetensors parser (checking header padding and contiguous offsets), recomputes
every stored output and gradient with independent float64 code and fails if any tensor differs by more than
1e-5 times that tensor's largest magnitude. It prints that scaled error per tensor, which shows how far the
float32 references sit from exact arithmetic (about 1e-7 .. 1e-6).
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

GOLDEN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "test", "resources", "golden")
SCALED_TOLERANCE = 1e-5
failures = []


def load(file_name):
    """Parses one safetensors file: F32 tensors come back as float64, I64 as int64."""
    data = open(os.path.join(GOLDEN_DIR, file_name), "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    assert n % 8 == 0, f"{file_name}: header length {n} is not a multiple of 8"
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__")
    tensors, position = {}, 0
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        assert begin == position, f"{file_name}: {name} starts at {begin}, expected {position}"
        position = end
        dtype = {"F32": "<f4", "I64": "<i8"}[entry["dtype"]]
        array = np.frombuffer(data[8 + n + begin:8 + n + end], dtype=dtype).reshape(entry["shape"]).copy()
        tensors[name] = torch.from_numpy(array).double() if entry["dtype"] == "F32" else torch.from_numpy(array)
    assert 8 + n + position == len(data), f"{file_name}: {len(data) - 8 - n - position} trailing bytes"
    return meta, tensors


def compare(name, expected, actual):
    error = (expected - actual.detach()).abs().max().item()
    scale = max(expected.abs().max().item(), 1e-30)
    print(f"  {name:45s} max|err|/max|ref| = {error / scale:.1e}")
    if error > SCALED_TOLERANCE * scale:
        failures.append(name)


def leaves(tensors, names):
    return {n: tensors[n].clone().requires_grad_(True) for n in names}


def compare_grads(tensors, params, loss):
    loss.backward()
    for name, p in params.items():
        compare("grad." + name, tensors["grad." + name], p.grad)


def linear(x, weight, bias):                   # PyTorch Linear layout: weight (out, in)
    return x @ weight.T + bias


def layer_norm(x, weight, bias):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)   # biased variance
    return (x - mean) / torch.sqrt(var + 1e-5) * weight + bias


def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def gelu_erf(x):
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


def cross_entropy(logits, targets, ignore_index, reduction):
    keep = targets != ignore_index
    picked = logits.log_softmax(-1)[keep.nonzero().view(-1), targets[keep]]
    return -picked.sum() / (keep.sum() if reduction == "mean" else 1)


def causal_self_attention(x, p, prefix, n_head):
    B, T, C = x.shape
    hs = C // n_head
    qkv = linear(x, p[prefix + "c_attn.weight"], p[prefix + "c_attn.bias"])
    heads = lambda z: z.reshape(B, T, n_head, hs).permute(0, 2, 1, 3)          # (B, T, C) -> (B, nh, T, hs)
    q, k, v = heads(qkv[..., :C]), heads(qkv[..., C:2 * C]), heads(qkv[..., 2 * C:])
    scores = q @ k.transpose(-1, -2) / math.sqrt(hs)
    scores = scores.masked_fill(torch.ones(T, T).triu(1).bool(), float("-inf"))
    att = scores.softmax(-1)
    y = (att @ v).permute(0, 2, 1, 3).reshape(B, T, C)
    return linear(y, p[prefix + "c_proj.weight"], p[prefix + "c_proj.bias"]), att


def block(x, p, prefix, n_head):
    x = x + causal_self_attention(layer_norm(x, p[prefix + "ln_1.weight"], p[prefix + "ln_1.bias"]),
                                  p, prefix + "attn.", n_head)[0]
    h = layer_norm(x, p[prefix + "ln_2.weight"], p[prefix + "ln_2.bias"])
    h = gelu_tanh(linear(h, p[prefix + "mlp.c_fc.weight"], p[prefix + "mlp.c_fc.bias"]))
    return x + linear(h, p[prefix + "mlp.c_proj.weight"], p[prefix + "mlp.c_proj.bias"])


def check_mlp(file_name, gelu):
    print(file_name)
    _, t = load(file_name)
    p = leaves(t, ["x", "W1", "b1", "ln_w", "ln_b", "W2", "b2"])
    h = p["x"] @ p["W1"] + p["b1"]
    g = gelu(h)
    n = layer_norm(g, p["ln_w"], p["ln_b"])
    logits = n @ p["W2"] + p["b2"]
    loss = cross_entropy(logits.view(-1, 10), t["targets"].view(-1), -100, "mean")
    for name, value in [("h", h), ("g", g), ("n", n), ("logits", logits), ("loss", loss)]:
        compare(name, t[name], value)
    compare_grads(t, p, loss)


def check_attention_core():
    print("attention_core.safetensors")
    _, t = load("attention_core.safetensors")
    p = leaves(t, ["q", "k", "v"])
    s = p["q"] @ p["k"].transpose(-1, -2) / math.sqrt(5)
    probs = s.softmax(-1)
    o = probs @ p["v"]
    loss = (o * t["r"]).sum()
    for name, value in [("s", s), ("p", probs), ("o", o), ("loss", loss)]:
        compare(name, t[name], value)
    compare_grads(t, p, loss)


def check_mhsa_causal():
    print("mhsa_causal.safetensors")
    meta, t = load("mhsa_causal.safetensors")
    p = leaves(t, ["x"] + [k for k in t if k.startswith("attn.")])
    y, att = causal_self_attention(p["x"], p, "attn.", int(meta["n_head"]))
    loss = (y * t["r"]).sum()
    for name, value in [("att", att), ("y", y), ("loss", loss)]:
        compare(name, t[name], value)
    compare_grads(t, p, loss)


def check_block():
    print("block.safetensors")
    meta, t = load("block.safetensors")
    p = leaves(t, [k for k in t if not k.startswith("grad.") and k not in ("r", "y", "loss")])
    y = block(p["x"], p, "", int(meta["n_head"]))
    loss = (y * t["r"]).sum()
    compare("y", t["y"], y)
    compare("loss", t["loss"], loss)
    compare_grads(t, p, loss)


def check_gpt_tiny():
    print("gpt_tiny.safetensors")
    meta, t = load("gpt_tiny.safetensors")
    p = leaves(t, [k for k in t if k.startswith("transformer.")])
    idx = t["idx"]
    x = p["transformer.wte.weight"][idx] + p["transformer.wpe.weight"][:idx.shape[1]]
    for i in range(int(meta["n_layer"])):
        x = block(x, p, f"transformer.h.{i}.", int(meta["n_head"]))
    x = layer_norm(x, p["transformer.ln_f.weight"], p["transformer.ln_f.bias"])
    logits = x @ p["transformer.wte.weight"].T                                  # tied lm_head, no bias
    loss = cross_entropy(logits.view(-1, logits.shape[-1]), t["targets"].view(-1), -1, "mean")
    compare("logits", t["logits"], logits)
    compare("loss", t["loss"], loss)
    compare_grads(t, p, loss)


def check_ops():
    print("ops.safetensors")
    _, t = load("ops.safetensors")
    unary = {
        "softmax_dim1": lambda a: a.softmax(1),
        "softmax_dim0": lambda a: a.softmax(0),
        "log_softmax_dim1": lambda a: a.log_softmax(1),
        "log_softmax_dim0": lambda a: a.log_softmax(0),
        "cross_entropy_sum": lambda a: cross_entropy(a, t["cross_entropy_sum.targets"], -100, "sum"),
        "cross_entropy_ignore": lambda a: cross_entropy(a, t["cross_entropy_ignore.targets"], -100, "mean"),
        "var_dim1_unbiased_keepdim": lambda a: ((a - a.mean(1, keepdim=True)) ** 2).sum(1, keepdim=True) / (a.shape[1] - 1),
        "var_dim1_biased_keepdim": lambda a: ((a - a.mean(1, keepdim=True)) ** 2).sum(1, keepdim=True) / a.shape[1],
        "gather_dim1": lambda a: torch.gather(a, 1, t["gather_dim1.index"]),
    }
    for prefix, fn in unary.items():
        a = t[prefix + ".in"].clone().requires_grad_(True)
        out = fn(a)
        loss = out if out.dim() == 0 else (out * t[prefix + ".r"]).sum()
        loss.backward()
        compare(prefix + ".out", t[prefix + ".out"], out)
        if out.dim() != 0:
            compare(prefix + ".loss", t[prefix + ".loss"], loss)
        compare(prefix + ".grad_in", t[prefix + ".grad_in"], a.grad)
    p = leaves(t, ["layer_norm.in", "layer_norm.weight", "layer_norm.bias"])
    out = layer_norm(p["layer_norm.in"], p["layer_norm.weight"], p["layer_norm.bias"])
    loss = (out * t["layer_norm.r"]).sum()
    loss.backward()
    compare("layer_norm.out", t["layer_norm.out"], out)
    compare("layer_norm.loss", t["layer_norm.loss"], loss)
    for part in ["in", "weight", "bias"]:
        compare("layer_norm.grad_" + part, t["layer_norm.grad_" + part], p["layer_norm." + part].grad)


def main():
    check_mlp("mlp.safetensors", gelu_tanh)
    check_mlp("mlp_erf.safetensors", gelu_erf)
    check_attention_core()
    check_mhsa_causal()
    check_block()
    check_gpt_tiny()
    check_ops()
    if failures:
        sys.exit(f"FAILED: {len(failures)} tensors off by more than {SCALED_TOLERANCE} x max|ref|: {failures}")
    print("all golden tensors agree with the float64 re-derivation")


if __name__ == "__main__":
    main()
