#!/usr/bin/python3
"""Writes the PyTorch reference ("golden") files that ZeroLM's Java tests compare against.

Run with Debian's PyTorch:  /usr/bin/python3 tools/golden/make_golden.py
Every case seeds torch itself, computes in float32 on the CPU and writes one small safetensors file
into src/test/resources/golden/. The safetensors format is written by hand (the package is not installed).
See tools/golden/README.md for the tensor names and conventions of every file.
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "test", "resources", "golden")

DTYPE_NAMES = {torch.float32: "F32", torch.int64: "I64"}


class Golden:
    """An ordered collection of named tensors plus string metadata, written as one safetensors file."""

    def __init__(self, case, seed):
        self.tensors = {}
        self.metadata = {"format": "pt", "case": case, "seed": str(seed),
                         "generator": "tools/golden/make_golden.py", "torch": torch.__version__}

    def put(self, name, tensor):
        if name in self.tensors:
            raise ValueError(f"duplicate tensor name {name}")
        tensor = tensor.detach().cpu().contiguous()
        if tensor.dtype not in DTYPE_NAMES:
            raise ValueError(f"{name}: unsupported dtype {tensor.dtype}")
        self.tensors[name] = tensor

    def meta(self, key, value):
        self.metadata[key] = str(value)

    def write(self, file_name):
        assert sys.byteorder == "little", "raw tensor bytes must be little-endian"
        header = {"__metadata__": self.metadata}
        blobs = []
        offset = 0
        for name, tensor in self.tensors.items():
            blob = tensor.numpy().tobytes()
            header[name] = {"dtype": DTYPE_NAMES[tensor.dtype], "shape": list(tensor.shape),
                            "data_offsets": [offset, offset + len(blob)]}
            blobs.append(blob)
            offset += len(blob)
        header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
        header_bytes += b" " * (-len(header_bytes) % 8)
        path = os.path.join(OUT_DIR, file_name)
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(header_bytes)))
            f.write(header_bytes)
            for blob in blobs:
                f.write(blob)
        print(f"{file_name}: {len(self.tensors)} tensors, {os.path.getsize(path)} bytes")


def leaf(tensor):
    """A float32 leaf tensor that collects gradients."""
    return tensor.to(torch.float32).detach().requires_grad_(True)


# ----------------------------------------------------------------------------------------------
# nanoGPT modules (same structure and parameter names as karpathy/nanoGPT model.py, dropout 0)

class LayerNorm(nn.Module):
    """LayerNorm with an optional bias, as in nanoGPT."""

    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, bias=True):
        super().__init__()
        assert n_embd % n_head == 0
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=bias)
        self.c_proj = nn.Linear(n_embd, n_embd, bias=bias)
        self.n_head = n_head
        self.n_embd = n_embd
        self.last_att = None

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)                  # (B, T, 3C) -> 3 x (B, T, C)
        hs = C // self.n_head
        k = k.view(B, T, self.n_head, hs).transpose(1, 2)                     # (B, nh, T, hs)
        q = q.view(B, T, self.n_head, hs).transpose(1, 2)
        v = v.view(B, T, self.n_head, hs).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))              # (B, nh, T, T)
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
        att = att.masked_fill(~mask, float("-inf"))
        att = F.softmax(att, dim=-1)
        self.last_att = att
        y = att @ v                                                           # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)                      # (B, T, C)
        return self.c_proj(y)


class MLP(nn.Module):
    def __init__(self, n_embd, bias=True):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=bias)
        self.c_proj = nn.Linear(4 * n_embd, n_embd, bias=bias)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, n_embd, n_head, bias=True):
        super().__init__()
        self.ln_1 = LayerNorm(n_embd, bias)
        self.attn = CausalSelfAttention(n_embd, n_head, bias)
        self.ln_2 = LayerNorm(n_embd, bias)
        self.mlp = MLP(n_embd, bias)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size, n_layer, n_head, n_embd, bias=True):
        super().__init__()
        self.block_size = block_size
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab_size, n_embd),
            wpe=nn.Embedding(block_size, n_embd),
            h=nn.ModuleList([Block(n_embd, n_head, bias) for _ in range(n_layer)]),
            ln_f=LayerNorm(n_embd, bias),
        ))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight                     # weight tying
        self.apply(self._init_weights)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))

    @staticmethod
    def _init_weights(module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets):
        B, T = idx.size()
        pos = torch.arange(0, T, dtype=torch.long)
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)            # (B, T, C)
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)
        logits = self.lm_head(x)                                              # (B, T, vocab)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss


def randomise_layer_norms(module, scale):
    """Moves LayerNorm params away from ones/zeros so a test also checks that they are applied."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, LayerNorm):
                m.weight.add_(scale * torch.randn_like(m.weight))
                if m.bias is not None:
                    m.bias.add_(scale * torch.randn_like(m.bias))


def put_params_and_grads(g, module):
    for name, p in module.named_parameters():
        g.put(name, p)
    for name, p in module.named_parameters():
        g.put("grad." + name, p.grad)


# ----------------------------------------------------------------------------------------------
# cases

def case_mlp(file_name, approximate, seed):
    torch.manual_seed(seed)
    g = Golden(file_name.removesuffix(".safetensors"), seed)
    x = leaf(torch.randn(2, 3, 8))
    W1 = leaf(torch.randn(8, 16) / math.sqrt(8))
    b1 = leaf(0.1 * torch.randn(16))
    ln_w = leaf(1.0 + 0.3 * torch.randn(16))
    ln_b = leaf(0.3 * torch.randn(16))
    W2 = leaf(torch.randn(16, 10) / math.sqrt(16))
    b2 = leaf(0.1 * torch.randn(10))
    targets = torch.randint(0, 10, (2, 3), dtype=torch.int64)
    targets[1, 1] = -100
    h = x @ W1 + b1                                                           # (2, 3, 16)
    gel = F.gelu(h, approximate=approximate)
    n = F.layer_norm(gel, (16,), ln_w, ln_b, eps=1e-5)
    logits = n @ W2 + b2                                                      # (2, 3, 10)
    loss = F.cross_entropy(logits.view(-1, 10), targets.view(-1), ignore_index=-100, reduction="mean")
    loss.backward()
    for name, t in [("x", x), ("W1", W1), ("b1", b1), ("ln_w", ln_w), ("ln_b", ln_b), ("W2", W2), ("b2", b2),
                    ("targets", targets), ("h", h), ("g", gel), ("n", n), ("logits", logits), ("loss", loss)]:
        g.put(name, t)
    for name, t in [("x", x), ("W1", W1), ("b1", b1), ("ln_w", ln_w), ("ln_b", ln_b), ("W2", W2), ("b2", b2)]:
        g.put("grad." + name, t.grad)
    g.meta("gelu", "tanh" if approximate == "tanh" else "erf")
    g.meta("eps", 1e-5)
    g.meta("ignore_index", -100)
    g.meta("reduction", "mean")
    g.write(file_name)


def case_attention_core(seed):
    torch.manual_seed(seed)
    g = Golden("attention_core", seed)
    q = leaf(torch.randn(2, 3, 4, 5))
    k = leaf(torch.randn(2, 3, 6, 5))
    v = leaf(torch.randn(2, 3, 6, 7))
    r = torch.randn(2, 3, 4, 7)
    s = q @ k.transpose(-1, -2) / math.sqrt(5)                                # (2, 3, 4, 6)
    p = F.softmax(s, dim=-1)
    o = p @ v                                                                 # (2, 3, 4, 7)
    loss = (o * r).sum()
    loss.backward()
    for name, t in [("q", q), ("k", k), ("v", v), ("r", r), ("s", s), ("p", p), ("o", o), ("loss", loss),
                    ("grad.q", q.grad), ("grad.k", k.grad), ("grad.v", v.grad)]:
        g.put(name, t)
    g.meta("scale", "1/sqrt(5)")
    g.write("attention_core.safetensors")


class AttnHolder(nn.Module):
    """Wraps the attention so parameter names come out as attn.c_attn.weight etc."""

    def __init__(self, n_embd, n_head):
        super().__init__()
        self.attn = CausalSelfAttention(n_embd, n_head)

    def forward(self, x):
        return self.attn(x)


def case_mhsa_causal(seed):
    torch.manual_seed(seed)
    g = Golden("mhsa_causal", seed)
    model = AttnHolder(16, 4)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() == 1:
                p.copy_(0.1 * torch.randn_like(p))                            # non-zero biases
    x = leaf(torch.randn(2, 5, 16))
    r = torch.randn(2, 5, 16)
    y = model(x)
    loss = (y * r).sum()
    loss.backward()
    g.put("x", x)
    for name, p in model.named_parameters():
        g.put(name, p)
    g.put("r", r)
    g.put("att", model.attn.last_att)
    g.put("y", y)
    g.put("loss", loss)
    g.put("grad.x", x.grad)
    for name, p in model.named_parameters():
        g.put("grad." + name, p.grad)
    g.meta("n_head", 4)
    g.meta("n_embd", 16)
    g.write("mhsa_causal.safetensors")


def case_block(seed):
    torch.manual_seed(seed)
    g = Golden("block", seed)
    block = Block(16, 4)
    with torch.no_grad():
        for name, p in block.named_parameters():
            if name.endswith(".bias"):
                p.copy_(0.1 * torch.randn_like(p))
    randomise_layer_norms(block, 0.3)
    x = leaf(torch.randn(2, 5, 16))
    r = torch.randn(2, 5, 16)
    y = block(x)
    loss = (y * r).sum()
    loss.backward()
    g.put("x", x)
    for name, p in block.named_parameters():
        g.put(name, p)
    g.put("r", r)
    g.put("y", y)
    g.put("loss", loss)
    g.put("grad.x", x.grad)
    for name, p in block.named_parameters():
        g.put("grad." + name, p.grad)
    g.meta("n_head", 4)
    g.meta("n_embd", 16)
    g.meta("eps", 1e-5)
    g.meta("gelu", "tanh")
    g.write("block.safetensors")


def case_gpt_tiny(seed):
    torch.manual_seed(seed)
    g = Golden("gpt_tiny", seed)
    config = dict(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=12, bias=True)
    model = GPT(**config)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(".bias"):
                p.add_(0.02 * torch.randn_like(p))
    randomise_layer_norms(model, 0.1)
    idx = torch.randint(0, 11, (2, 8), dtype=torch.int64)
    targets = torch.randint(0, 11, (2, 8), dtype=torch.int64)
    logits, loss = model(idx, targets)
    loss.backward()
    put_params_and_grads(g, model)
    g.put("idx", idx)
    g.put("targets", targets)
    g.put("logits", logits)
    g.put("loss", loss)
    for key, value in config.items():
        g.meta(key, value)
    g.meta("dropout", 0.0)
    g.meta("eps", 1e-5)
    g.meta("gelu", "tanh")
    g.meta("tied", "lm_head.weight is transformer.wte.weight")
    g.write("gpt_tiny.safetensors")


def case_ops(seed):
    torch.manual_seed(seed)
    g = Golden("ops", seed)

    def weighted(inputs, fn):
        """Runs out = fn(*inputs); loss = (out * r).sum() with a fresh random r, or loss = out for a scalar out."""
        leaves = [leaf(t) for t in inputs]
        out = fn(*leaves)
        if out.dim() == 0:
            loss = out
            r = None
        else:
            r = torch.randn(out.shape)
            loss = (out * r).sum()
        loss.backward()
        return leaves, out, r, loss

    def put_all(prefix, named_inputs, out, r, loss, extra_inputs=()):
        for name, t in named_inputs:
            g.put(f"{prefix}.{name}", t)
        for name, t in extra_inputs:
            g.put(f"{prefix}.{name}", t)
        g.put(f"{prefix}.out", out)
        if r is not None:
            g.put(f"{prefix}.r", r)
            g.put(f"{prefix}.loss", loss)
        for name, t in named_inputs:
            g.put(f"{prefix}.grad_{name}", t.grad)

    def unary(prefix, a, fn, extra_inputs=()):
        (x,), out, r, loss = weighted([a], fn)
        put_all(prefix, [("in", x)], out, r, loss, extra_inputs)

    def big():
        """Spread-out values whose largest one overflows a float32 exp(), so softmax must subtract the max."""
        a = 30.0 * torch.randn(3, 7) + 60.0
        assert a.max() > 88.8, "exp() of the largest input must overflow float32"
        return a

    unary("softmax_dim1", big(), lambda t: F.softmax(t, dim=1))
    unary("softmax_dim0", big(), lambda t: F.softmax(t, dim=0))
    unary("log_softmax_dim1", big(), lambda t: F.log_softmax(t, dim=1))
    unary("log_softmax_dim0", big(), lambda t: F.log_softmax(t, dim=0))

    targets = torch.randint(0, 7, (3,), dtype=torch.int64)
    unary("cross_entropy_sum", 10.0 * torch.randn(3, 7),
          lambda t: F.cross_entropy(t, targets, reduction="sum"), [("targets", targets)])
    targets_ignore = torch.randint(0, 7, (3,), dtype=torch.int64)
    targets_ignore[1] = -100
    unary("cross_entropy_ignore", 10.0 * torch.randn(3, 7),
          lambda t: F.cross_entropy(t, targets_ignore, ignore_index=-100, reduction="mean"),
          [("targets", targets_ignore)])

    unary("var_dim1_unbiased_keepdim", 3.0 * torch.randn(3, 7) + 2.0,
          lambda t: torch.var(t, dim=1, unbiased=True, keepdim=True))
    unary("var_dim1_biased_keepdim", 3.0 * torch.randn(3, 7) + 2.0,
          lambda t: torch.var(t, dim=1, unbiased=False, keepdim=True))

    index = torch.tensor([[0, 6], [3, 3], [5, 1]], dtype=torch.int64)       # (3, 2); row 1 repeats an index
    unary("gather_dim1", torch.randn(3, 7), lambda t: torch.gather(t, 1, index), [("index", index)])

    # layer_norm over the last dim with a large offset and spread, weight and bias all get gradients
    ln_in = 10.0 * torch.randn(3, 7) + 5.0
    ln_weight = 1.0 + 0.3 * torch.randn(7)
    ln_bias = 0.3 * torch.randn(7)
    (x, w, b), out, r, loss = weighted([ln_in, ln_weight, ln_bias],
                                       lambda t, w_, b_: F.layer_norm(t, (7,), w_, b_, eps=1e-5))
    put_all("layer_norm", [("in", x), ("weight", w), ("bias", b)], out, r, loss)

    g.meta("eps", 1e-5)
    g.meta("ignore_index", -100)
    g.write("ops.safetensors")


def main():
    torch.set_num_threads(1)                                                  # one thread: same sums every run
    os.makedirs(OUT_DIR, exist_ok=True)
    case_mlp("mlp.safetensors", "tanh", seed=1)
    case_mlp("mlp_erf.safetensors", "none", seed=1)
    case_attention_core(seed=2)
    case_mhsa_causal(seed=3)
    case_block(seed=4)
    case_gpt_tiny(seed=5)
    case_ops(seed=6)


if __name__ == "__main__":
    main()
