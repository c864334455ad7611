#!/usr/bin/python3
"""Checks that a model directory has exactly Hugging Face's tensor names and shapes for its config.json, and
optionally prints the logits the PyTorch reference computes from it, to compare with ZeroLM's.

    /usr/bin/python3 tools/golden/check_hf_layout.py DIR [--ids 1,2,3]

Knows gpt2 (GPT2LMHeadModel, Conv1D weights (in, out), names with or without "transformer.") and llama
(LlamaForCausalLM). Exits 1 and lists the differences when the layout is not Hugging Face's.
"""
import argparse
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_hf_golden as ref  # noqa: E402  (the reference forward passes)

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        raw = bytearray(data[8 + n + begin:8 + n + end])
        out[name] = torch.frombuffer(raw, dtype=DTYPES[info["dtype"]]).reshape(info["shape"]).float()
    return out


def gpt2_layout(cfg):
    C, L, V, P = cfg["n_embd"], cfg["n_layer"], cfg["vocab_size"], cfg["n_positions"]
    inner = cfg.get("n_inner") or 4 * C
    names = {"wte.weight": [V, C], "wpe.weight": [P, C], "ln_f.weight": [C], "ln_f.bias": [C]}
    for i in range(L):
        h = f"h.{i}."
        names.update({h + "ln_1.weight": [C], h + "ln_1.bias": [C], h + "attn.c_attn.weight": [C, 3 * C],
                      h + "attn.c_attn.bias": [3 * C], h + "attn.c_proj.weight": [C, C], h + "attn.c_proj.bias": [C],
                      h + "ln_2.weight": [C], h + "ln_2.bias": [C], h + "mlp.c_fc.weight": [C, inner],
                      h + "mlp.c_fc.bias": [inner], h + "mlp.c_proj.weight": [inner, C], h + "mlp.c_proj.bias": [C]})
    return names


def llama_layout(cfg):
    C, L, V, I = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["vocab_size"], cfg["intermediate_size"]
    nh = cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads", nh)
    hd = cfg.get("head_dim") or C // nh
    names = {"model.embed_tokens.weight": [V, C], "model.norm.weight": [C]}
    if not cfg.get("tie_word_embeddings", False):
        names["lm_head.weight"] = [V, C]
    for i in range(L):
        l = f"model.layers.{i}."
        names.update({l + "input_layernorm.weight": [C], l + "post_attention_layernorm.weight": [C],
                      l + "self_attn.q_proj.weight": [nh * hd, C], l + "self_attn.k_proj.weight": [nkv * hd, C],
                      l + "self_attn.v_proj.weight": [nkv * hd, C], l + "self_attn.o_proj.weight": [C, nh * hd],
                      l + "mlp.gate_proj.weight": [I, C], l + "mlp.up_proj.weight": [I, C],
                      l + "mlp.down_proj.weight": [C, I]})
    return names


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--ids", help="comma-separated token ids; prints the reference logits of the last one")
    args = parser.parse_args()
    with open(os.path.join(args.dir, "config.json")) as f:
        cfg = json.load(f)
    tensors = read_safetensors(os.path.join(args.dir, "model.safetensors"))
    kind = cfg["model_type"]
    if kind == "gpt2":
        expected = gpt2_layout(cfg)
        prefix = "transformer." if "transformer.wte.weight" in tensors else ""
        stored = {k[len(prefix):]: v for k, v in tensors.items()
                  if not k.endswith((".attn.bias", ".attn.masked_bias")) and k != "lm_head.weight"}
    elif kind == "llama":
        expected = llama_layout(cfg)
        stored = {k: v for k, v in tensors.items() if not k.endswith("rotary_emb.inv_freq")}
    else:
        sys.exit(f"{args.dir}: model_type {kind} is not gpt2 or llama")
    problems = [f"missing {n} {s}" for n, s in expected.items() if n not in stored]
    problems += [f"unexpected {n}" for n in stored if n not in expected]
    problems += [f"{n}: shape {list(stored[n].shape)}, Hugging Face has {s}"
                 for n, s in expected.items() if n in stored and list(stored[n].shape) != s]
    for p in problems:
        print(p)
    print(f"{args.dir}: {kind}, {len(stored)} tensors, " + ("layout OK" if not problems else f"{len(problems)} problems"))
    if args.ids:
        idx = torch.tensor([[int(i) for i in args.ids.split(",")]])
        with torch.no_grad():
            if kind == "gpt2":
                logits = ref.gpt2_forward({"transformer." + k: v for k, v in stored.items()}, cfg, idx)
            else:
                p = dict(stored)
                p.setdefault("lm_head.weight", p["model.embed_tokens.weight"])
                logits = ref.llama_forward(p, cfg, idx)
        print("logits[-1] =", " ".join(f"{v:.6f}" for v in logits[0, -1].tolist()))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
