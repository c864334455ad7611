#!/usr/bin/python3
"""Builds tiny random Hugging Face model directories (GPT-2 and Llama) and PyTorch reference files for them.

Run with Debian's PyTorch:  /usr/bin/python3 tools/golden/make_hf_golden.py

`transformers` is not installed here, so the forward passes below are written in plain PyTorch, following the
math of Hugging Face's GPT2LMHeadModel and LlamaForCausalLM step by step (Conv1D layout, gelu_new, rotate_half
RoPE, repeat_kv, RMSNorm in float32, ...). Writes

    src/test/resources/hf/tiny-gpt2/    config.json, model.safetensors, vocab.json, merges.txt
    src/test/resources/hf/tiny-llama/   config.json, model.safetensors, tokenizer.json
    src/test/resources/golden/hf_gpt2.safetensors, hf_llama.safetensors

See tools/golden/README.md ("Hugging Face models") for the contents of the golden files.
"""
import json
import math
import os
import re
import struct
import sys

import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
HF_DIR = os.path.join(ROOT, "src", "test", "resources", "hf")
GOLDEN_DIR = os.path.join(ROOT, "src", "test", "resources", "golden")

DTYPE_NAMES = {torch.float32: "F32", torch.int64: "I64"}


def write_safetensors(path, tensors, metadata):
    """tensors: name -> tensor, written in order, back to back; header padded with spaces to a multiple of 8."""
    assert sys.byteorder == "little", "raw tensor bytes must be little-endian"
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, tensor in tensors.items():
        tensor = tensor.detach().cpu().contiguous()
        blob = tensor.numpy().tobytes()
        header[name] = {"dtype": DTYPE_NAMES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        for blob in blobs:
            f.write(blob)
    print(f"{os.path.relpath(path, ROOT)}: {len(tensors)} tensors, {os.path.getsize(path)} bytes")


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"{os.path.relpath(path, ROOT)}: {os.path.getsize(path)} bytes")


# ----------------------------------------------------------------------------------------------
# A tiny byte-level BPE (GPT-2's algorithm), trained here so the tokenizer files stay small

def bytes_to_unicode():
    """GPT-2's map from the 256 byte values to visible characters (a space becomes 'Ġ')."""
    visible = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    chars = visible[:]
    shifted = 0
    for b in range(256):
        if b not in visible:
            visible.append(b)
            chars.append(256 + shifted)
            shifted += 1
    return dict(zip(visible, map(chr, chars)))  # in GPT-2's id order: visible bytes first


BYTE_CHAR = bytes_to_unicode()

# GPT-2's and Llama 3's pre-tokenizer patterns, with \p{L} and \p{N} narrowed to ASCII: Python's re module has no
# Unicode classes, and every text split here is ASCII, where both forms agree.
GPT2_SPLIT = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")
LLAMA3_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                r"|\s*[\r\n]+|\s+(?!\S)|\s+")
LLAMA3_SPLIT = re.compile(r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\nA-Za-z0-9]?[A-Za-z]+|[0-9]{1,3}| ?[^\sA-Za-z0-9]+[\r\n]*"
                          r"|\s*[\r\n]+|\s+(?!\S)|\s+")

CORPUS = ("The quick brown fox jumps over the lazy dog. The dog sleeps in the sun, and the fox runs into the "
          "woods. Then the fox and the dog meet again at the river; they drink the water there and rest. "
          "There is nothing the fox likes more than the smell of the morning in the woods.")


def piece_symbols(piece):
    return [BYTE_CHAR[b] for b in piece.encode("utf-8")]


def train_bpe(corpus, split, n_merges):
    """Most frequent adjacent pair first; ties go to the pair that sorts first, so the result is deterministic."""
    words = {}
    for piece in split.findall(corpus):
        key = tuple(piece_symbols(piece))
        words[key] = words.get(key, 0) + 1
    merges = []
    for _ in range(n_merges):
        counts = {}
        for word, n in words.items():
            for pair in zip(word, word[1:]):
                counts[pair] = counts.get(pair, 0) + n
        best = max(sorted(counts), key=lambda p: counts[p])
        merges.append(best)
        merged = {}
        for word, n in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + n
        words = merged
    return merges


def vocab_of(merges, specials):
    vocab = {c: i for i, c in enumerate(BYTE_CHAR.values())}
    for left, right in merges:
        vocab.setdefault(left + right, len(vocab))
    for s in specials:
        vocab[s] = len(vocab)
    return vocab


def bpe_encode(text, vocab, merges, split, specials=(), ignore_merges=False):
    """GPT-2's encoder.py: lowest-ranked pair merged everywhere until none is left. Special tokens are cut out of
    the text first (as Hugging Face's tokenizers do with added tokens); with ignore_merges a piece that is itself
    in the vocabulary becomes that one token."""
    ranks = {pair: r for r, pair in enumerate(merges)}
    ids = []
    parts = re.split("(" + "|".join(map(re.escape, specials)) + ")", text) if specials else [text]
    for part in parts:
        if part in specials:
            ids.append(vocab[part])
            continue
        for piece in split.findall(part):
            word = piece_symbols(piece)
            if ignore_merges and "".join(word) in vocab:
                ids.append(vocab["".join(word)])
                continue
            while len(word) > 1:
                pairs = [(ranks.get(p, math.inf), i) for i, p in enumerate(zip(word, word[1:]))]
                rank = min(pairs)[0]
                if rank == math.inf:
                    break
                best = merges[rank]
                out, i = [], 0
                while i < len(word):
                    if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                        out.append(word[i] + word[i + 1])
                        i += 2
                    else:
                        out.append(word[i])
                        i += 1
                word = out
            ids.extend(vocab[s] for s in word)
    return ids


# ----------------------------------------------------------------------------------------------
# Shared pieces

def leaf(t):
    return t.detach().to(torch.float32).requires_grad_(True)


def causal_softmax(scores):
    """Hugging Face fills future positions with the dtype's minimum before a float32 softmax."""
    T = scores.size(-1)
    future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    return F.softmax(scores.masked_fill(future, torch.finfo(torch.float32).min), dim=-1, dtype=torch.float32)


def shifted_targets(idx):
    """labels = input_ids as Hugging Face's LM heads take them: position t predicts token t+1; the last predicts
    nothing (-1, ignored)."""
    targets = torch.full_like(idx, -1)
    targets[:, :-1] = idx[:, 1:]
    return targets


def greedy(forward, prompt, n):
    """Greedy decoding by full recomputation; also returns the smallest gap between the best and second-best
    logit, so a prompt whose choice is nearly a tie can be avoided."""
    ids, gap = list(prompt), math.inf
    with torch.no_grad():
        for _ in range(n):
            last = forward(torch.tensor([ids]))[0, -1]
            top = torch.topk(last, 2).values
            gap = min(gap, (top[0] - top[1]).item())
            ids.append(int(torch.argmax(last)))
    return ids[len(prompt):], gap


def pick_prompt(forward, idx, n_new, min_gap):
    """The first prefix of a row of idx whose greedy continuation never comes near a tie."""
    for row in range(idx.size(0)):
        for length in (5, 6, 4, 7, 3, 8):
            prompt = idx[row, :length].tolist()
            ids, gap = greedy(forward, prompt, n_new)
            if gap >= min_gap:
                return prompt, ids, gap
    raise RuntimeError("every candidate prompt meets a near-tie in greedy decoding; change the seed")


def put_grads(g, params):
    """The parameters themselves are in the model directory; the golden file holds their gradients."""
    for name, p in params.items():
        g["grad." + name] = p.grad


# ----------------------------------------------------------------------------------------------
# GPT-2, as GPT2LMHeadModel computes it (dropout off)

def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def conv1d(x, weight, bias):
    """Hugging Face's Conv1D: weight is (in, out), y = x @ weight + bias."""
    return torch.addmm(bias, x.reshape(-1, x.size(-1)), weight).view(*x.shape[:-1], weight.size(-1))


def gpt2_forward(p, cfg, idx):
    B, T = idx.shape
    C, nh = cfg["n_embd"], cfg["n_head"]
    hs = C // nh
    eps = cfg["layer_norm_epsilon"]
    x = p["transformer.wte.weight"][idx] + p["transformer.wpe.weight"][torch.arange(T)]
    for i in range(cfg["n_layer"]):
        h = f"transformer.h.{i}."
        a = F.layer_norm(x, (C,), p[h + "ln_1.weight"], p[h + "ln_1.bias"], eps)
        q, k, v = conv1d(a, p[h + "attn.c_attn.weight"], p[h + "attn.c_attn.bias"]).split(C, dim=2)
        q, k, v = (t.view(B, T, nh, hs).transpose(1, 2) for t in (q, k, v))       # (B, nh, T, hs)
        att = causal_softmax(q @ k.transpose(-1, -2) / math.sqrt(hs))
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + conv1d(y, p[h + "attn.c_proj.weight"], p[h + "attn.c_proj.bias"])
        m = F.layer_norm(x, (C,), p[h + "ln_2.weight"], p[h + "ln_2.bias"], eps)
        m = gelu_new(conv1d(m, p[h + "mlp.c_fc.weight"], p[h + "mlp.c_fc.bias"]))
        x = x + conv1d(m, p[h + "mlp.c_proj.weight"], p[h + "mlp.c_proj.bias"])
    x = F.layer_norm(x, (C,), p["transformer.ln_f.weight"], p["transformer.ln_f.bias"], eps)
    return x @ p["transformer.wte.weight"].t()                                      # tied lm_head


def make_gpt2(seed):
    torch.manual_seed(seed)
    merges = train_bpe(CORPUS, GPT2_SPLIT, 24)
    vocab = vocab_of(merges, ["<|endoftext|>"])
    cfg = {
        "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.0,
        "bos_token_id": vocab["<|endoftext|>"], "embd_pdrop": 0.0, "eos_token_id": vocab["<|endoftext|>"],
        "initializer_range": 0.02, "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 32, "n_embd": 24,
        "n_head": 4, "n_inner": None, "n_layer": 2, "n_positions": 32, "reorder_and_upcast_attn": False,
        "resid_pdrop": 0.0, "scale_attn_by_inverse_layer_idx": False, "scale_attn_weights": True,
        "summary_activation": None, "summary_first_dropout": 0.1, "summary_proj_to_labels": True,
        "summary_type": "cls_index", "summary_use_proj": True, "torch_dtype": "float32", "use_cache": True,
        "vocab_size": len(vocab),
    }
    V, C, L, P = cfg["vocab_size"], cfg["n_embd"], cfg["n_layer"], cfg["n_positions"]
    # Larger than GPT-2's 0.02 initialisation, so logits spread out and every term of the math shows.
    p = {"transformer.wte.weight": torch.randn(V, C) * 0.5, "transformer.wpe.weight": torch.randn(P, C) * 0.2}
    for i in range(L):
        h = f"transformer.h.{i}."
        p[h + "ln_1.weight"] = 1 + 0.1 * torch.randn(C)
        p[h + "ln_1.bias"] = 0.1 * torch.randn(C)
        p[h + "attn.c_attn.weight"] = torch.randn(C, 3 * C) / math.sqrt(C)
        p[h + "attn.c_attn.bias"] = 0.1 * torch.randn(3 * C)
        p[h + "attn.c_proj.weight"] = torch.randn(C, C) / math.sqrt(C)
        p[h + "attn.c_proj.bias"] = 0.1 * torch.randn(C)
        p[h + "ln_2.weight"] = 1 + 0.1 * torch.randn(C)
        p[h + "ln_2.bias"] = 0.1 * torch.randn(C)
        p[h + "mlp.c_fc.weight"] = torch.randn(C, 4 * C) / math.sqrt(C)
        p[h + "mlp.c_fc.bias"] = 0.1 * torch.randn(4 * C)
        p[h + "mlp.c_proj.weight"] = torch.randn(4 * C, C) / math.sqrt(4 * C)
        p[h + "mlp.c_proj.bias"] = 0.1 * torch.randn(C)
    p["transformer.ln_f.weight"] = 1 + 0.1 * torch.randn(C)
    p["transformer.ln_f.bias"] = 0.1 * torch.randn(C)
    p = {k: leaf(v) for k, v in p.items()}

    out = os.path.join(HF_DIR, "tiny-gpt2")
    os.makedirs(out, exist_ok=True)
    weights = dict(p)
    for i in range(L):  # the causal-mask buffer older GPT-2 checkpoints carry; loaders must skip it
        weights[f"transformer.h.{i}.attn.bias"] = torch.tril(torch.ones(P, P)).view(1, 1, P, P)
    write_safetensors(os.path.join(out, "model.safetensors"), weights, {"format": "pt"})
    write_json(os.path.join(out, "config.json"), cfg)
    write_json(os.path.join(out, "vocab.json"), vocab)
    with open(os.path.join(out, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))

    g = {}
    idx = torch.randint(0, V, (2, 16))
    targets = shifted_targets(idx)
    logits = gpt2_forward(p, cfg, idx)
    loss = F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-1)
    loss.backward()
    prompt, generated, gap = pick_prompt(lambda ids: gpt2_forward(p, cfg, ids), idx, 20, 1e-2)
    text = "The fox didn't run: 12345 dogs\n\nsleep  there."
    g.update({"idx": idx, "targets": targets, "logits": logits, "loss": loss,
              "generate.prompt": torch.tensor(prompt), "generate.ids": torch.tensor(generated),
              "tokenizer.ids": torch.tensor(bpe_encode(text, vocab, merges, GPT2_SPLIT))})
    put_grads(g, p)
    meta = {"format": "pt", "case": "hf_gpt2", "seed": str(seed), "generator": "tools/golden/make_hf_golden.py",
            "torch": torch.__version__, "model_dir": "hf/tiny-gpt2", "tokenizer.text": text,
            "generate.min_gap": f"{gap:.4f}"}
    write_safetensors(os.path.join(GOLDEN_DIR, "hf_gpt2.safetensors"), g, meta)


# ----------------------------------------------------------------------------------------------
# Llama, as LlamaForCausalLM computes it

def rms_norm(x, weight, eps):
    """LlamaRMSNorm: x * rsqrt(mean(x^2) + eps), in float32, then times the weight."""
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_cos_sin(positions, head_dim, theta):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    freqs = positions.float()[:, None] * inv_freq[None, :]                     # (T, hd/2)
    emb = torch.cat((freqs, freqs), dim=-1)                                      # (T, hd)
    return emb.cos(), emb.sin()


def repeat_kv(x, n_rep):
    """(B, nkv, T, hd) -> (B, nkv * n_rep, T, hd): each key/value head serves n_rep query heads."""
    B, nkv, T, hd = x.shape
    if n_rep == 1:
        return x
    return x[:, :, None, :, :].expand(B, nkv, n_rep, T, hd).reshape(B, nkv * n_rep, T, hd)


def llama_forward(p, cfg, idx):
    B, T = idx.shape
    C, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = C // nh
    eps = cfg["rms_norm_eps"]
    cos, sin = rope_cos_sin(torch.arange(T), hd, cfg["rope_theta"])
    x = p["model.embed_tokens.weight"][idx]
    for i in range(cfg["num_hidden_layers"]):
        l = f"model.layers.{i}."
        h = rms_norm(x, p[l + "input_layernorm.weight"], eps)
        q = F.linear(h, p[l + "self_attn.q_proj.weight"]).view(B, T, nh, hd).transpose(1, 2)
        k = F.linear(h, p[l + "self_attn.k_proj.weight"]).view(B, T, nkv, hd).transpose(1, 2)
        v = F.linear(h, p[l + "self_attn.v_proj.weight"]).view(B, T, nkv, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k, v = repeat_kv(k, nh // nkv), repeat_kv(v, nh // nkv)
        att = causal_softmax(q @ k.transpose(2, 3) / math.sqrt(hd))
        y = (att @ v).transpose(1, 2).reshape(B, T, nh * hd)
        x = x + F.linear(y, p[l + "self_attn.o_proj.weight"])
        h = rms_norm(x, p[l + "post_attention_layernorm.weight"], eps)
        gate = F.silu(F.linear(h, p[l + "mlp.gate_proj.weight"]))
        x = x + F.linear(gate * F.linear(h, p[l + "mlp.up_proj.weight"]), p[l + "mlp.down_proj.weight"])
    x = rms_norm(x, p["model.norm.weight"], eps)
    return F.linear(x, p["lm_head.weight"])                                      # untied


def llama_tokenizer_json(vocab, merges, specials):
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": vocab[s], "content": s, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for s in specials],
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": LLAMA3_REGEX}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
        "post_processor": {"type": "Sequence", "processors": [
            {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": specials[0], "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [{"SpecialToken": {"id": specials[0], "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                      {"SpecialToken": {"id": specials[0], "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
             "special_tokens": {specials[0]: {"id": specials[0], "ids": [vocab[specials[0]]],
                                              "tokens": [specials[0]]}}}]},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": True,
                  "vocab": {s: i for s, i in vocab.items() if s not in specials},
                  "merges": [[a, b] for a, b in merges]},
    }


def make_llama(seed):
    torch.manual_seed(seed)
    merges = train_bpe(CORPUS, LLAMA3_SPLIT, 24)
    specials = ["<|begin_of_text|>", "<|end_of_text|>"]
    vocab = vocab_of(merges, specials)
    cfg = {
        "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "bos_token_id": vocab[specials[0]], "eos_token_id": vocab[specials[1]], "hidden_act": "silu",
        "hidden_size": 32, "initializer_range": 0.02, "intermediate_size": 48, "max_position_embeddings": 64,
        "mlp_bias": False, "model_type": "llama", "num_attention_heads": 4, "num_hidden_layers": 2,
        "num_key_value_heads": 2, "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": None,
        "rope_theta": 500000.0, "tie_word_embeddings": False, "torch_dtype": "float32", "use_cache": True,
        "vocab_size": len(vocab),
    }
    V, C, L = cfg["vocab_size"], cfg["hidden_size"], cfg["num_hidden_layers"]
    nh, nkv, I = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["intermediate_size"]
    hd = C // nh
    p = {"model.embed_tokens.weight": torch.randn(V, C) * 0.5}
    for i in range(L):
        l = f"model.layers.{i}."
        p[l + "self_attn.q_proj.weight"] = torch.randn(nh * hd, C) / math.sqrt(C)
        p[l + "self_attn.k_proj.weight"] = torch.randn(nkv * hd, C) / math.sqrt(C)
        p[l + "self_attn.v_proj.weight"] = torch.randn(nkv * hd, C) / math.sqrt(C)
        p[l + "self_attn.o_proj.weight"] = torch.randn(C, nh * hd) / math.sqrt(nh * hd)
        p[l + "mlp.gate_proj.weight"] = torch.randn(I, C) / math.sqrt(C)
        p[l + "mlp.up_proj.weight"] = torch.randn(I, C) / math.sqrt(C)
        p[l + "mlp.down_proj.weight"] = torch.randn(C, I) / math.sqrt(I)
        p[l + "input_layernorm.weight"] = 1 + 0.1 * torch.randn(C)
        p[l + "post_attention_layernorm.weight"] = 1 + 0.1 * torch.randn(C)
    p["model.norm.weight"] = 1 + 0.1 * torch.randn(C)
    p["lm_head.weight"] = torch.randn(V, C) / math.sqrt(C)
    p = {k: leaf(v) for k, v in p.items()}

    out = os.path.join(HF_DIR, "tiny-llama")
    os.makedirs(out, exist_ok=True)
    write_safetensors(os.path.join(out, "model.safetensors"), p, {"format": "pt"})
    write_json(os.path.join(out, "config.json"), cfg)
    write_json(os.path.join(out, "tokenizer.json"), llama_tokenizer_json(vocab, merges, specials))

    g = {}
    idx = torch.randint(0, V, (2, 16))
    targets = shifted_targets(idx)
    logits = llama_forward(p, cfg, idx)
    loss = F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-1)
    loss.backward()
    prompt, generated, gap = pick_prompt(lambda ids: llama_forward(p, cfg, ids), idx, 20, 1e-2)
    text = "The fox DIDN'T run: 12345 dogs<|end_of_text|>\n\nsleep  there."
    g.update({"idx": idx, "targets": targets, "logits": logits, "loss": loss,
              "generate.prompt": torch.tensor(prompt), "generate.ids": torch.tensor(generated),
              "tokenizer.ids": torch.tensor(bpe_encode(text, vocab, merges, LLAMA3_SPLIT, specials, True))})
    put_grads(g, p)
    meta = {"format": "pt", "case": "hf_llama", "seed": str(seed), "generator": "tools/golden/make_hf_golden.py",
            "torch": torch.__version__, "model_dir": "hf/tiny-llama", "tokenizer.text": text,
            "generate.min_gap": f"{gap:.4f}"}
    write_safetensors(os.path.join(GOLDEN_DIR, "hf_llama.safetensors"), g, meta)


if __name__ == "__main__":
    torch.set_num_threads(1)
    make_gpt2(21)
    make_llama(22)
