#!/usr/bin/env python3
"""PyTorch side of `zerolm bench --vs-pytorch`: the same rows as ZeroLM's bench, timed the same way.

ZeroLM runs it once per bench section with the row ids of that section; by hand:
    /usr/bin/python3 bench/pytorch_reference.py --threads 2 --rows gemm.1024x1024x1024.NN,train.A,gen.B

Row ids (the same as dev.zerolm.bench):
    gemm.MxKxN.L         C (M, N) = op(A) (M, K) @ op(B) (K, N) by torch.mm into a preallocated C; L is NN (A@B),
                         NT (A@B^T, B stored (N, K)) or TN (A^T@B, A stored (K, M)); GFLOP/s
    train.X, scaling.X   one fp32 training step: zero_grad, forward, cross-entropy, backward, AdamW step, on
                         random tokens; tok/s. Each runs in a child process of this script, which also reports
                         mem.<id>: that process's peak resident memory (ru_maxrss), MiB. train.C-lean is C with
                         torch.utils.checkpoint around each block and AdamW stepped inside backward
    forward.X            forward pass to logits (B, T, V) under torch.no_grad(); tok/s
    gen.X                greedy generation of 256 tokens for one sequence with a KV cache, as ZeroLM does; tok/s
Models X (as dev.zerolm.bench.BenchModel): A = vocab 65, 4 layers, 4 heads, 128 wide, block 64, batch 12;
B = 65, 6, 6, 384, block 256, batch 8; C = GPT-2 124M: 50257, 12, 12, 768, block 256, batch 4;
B-T<n> = B with block n and batch max(1, 2048 / n). The model is nanoGPT's GPT: learned positions, pre-LayerNorm
blocks with biases, GELU (tanh form), lm_head tied to wte, no dropout, GPT-2 initialisation. AdamW as ZeroLM's
defaults: betas (0.9, 0.95), eps 1e-8, lr 6e-4, weight decay 0.1 on weight matrices only (not embeddings,
biases or LayerNorms).

With --turns (what ZeroLM uses for the GEMM rows), the script instead times single GEMM calls on request, taking
turns with ZeroLM's own calls so that both sides see the same moments of a noisy machine. It prints one JSON line
{"torch", "threads", "blas"}, then answers each line read from standard input: "row gemm.MxKxN.L" sets up that
product and answers "ok"; "go" runs it once and answers its seconds; a bad request answers "error: ...".

Timing as ZeroLM's TimingPlan: at least --warmup untimed steps and --min-warmup-seconds, then at least --steps
timed steps and --min-seconds, at most --max-steps. Each result is the median, min and max of the per-step
rates. The last line of standard output is one JSON object:
    {"torch": "1.13.0", "threads": 2, "blas": "...", "results": {id: {"median", "min", "max", "samples"}},
     "errors": {id: text}}
"blas" names the BLAS library torch.mm ended up in (PyTorch's CPU GEMMs go through it), since a Debian torch
uses whichever libblas.so.3 the system selects: the unoptimised reference BLAS, or OpenBLAS with its kernel.

Fair set-up (bench/fair_torch_env.py), applied here before torch is imported (ZeroLM also applies the environment
part when it starts this script): OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed (they can pin OpenBLAS to an
older, slower kernel), except that OPENBLAS_CORETYPE is set from the CPU's flags when OpenBLAS cannot recognise the
CPU and would fall back to its generic kernels; OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = --threads,
OMP_WAIT_POLICY=PASSIVE (idle threads sleep rather than spin), then torch.set_num_threads(--threads).
"""
import argparse
import ctypes
import json
import math
import os
import resource
import subprocess
import sys
import time

import fair_torch_env  # bench/, next to this script


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--rows", default="", help="comma-separated row ids")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--min-warmup-seconds", type=float, default=1.0)
    ap.add_argument("--min-seconds", type=float, default=2.0)
    ap.add_argument("--max-steps", type=int, default=50)
    ap.add_argument("--worker", action="store_true", help="internal: run the one training row given in --rows")
    ap.add_argument("--turns", action="store_true", help="time single GEMM calls on request (see above)")
    return ap.parse_args(argv)


ARGS = parse_args(sys.argv[1:])
OPENBLAS_CHOICE = fair_torch_env.apply(ARGS.threads)

try:
    import torch  # noqa: E402
    import torch.nn as nn  # noqa: E402
    import torch.nn.functional as F  # noqa: E402
    import torch.utils.checkpoint  # noqa: E402
except ImportError as e:
    print(f"pytorch_reference.py: cannot import torch ({e}); on Debian: apt-get install python3-torch", file=sys.stderr)
    sys.exit(3)

torch.set_num_threads(ARGS.threads)

GENERATED_TOKENS = 256
SCALING_TOKENS = 2048


# ----------------------------------------------------------------------------- the model

class Attention(nn.Module):
    def __init__(self, n_embd, n_head, block_size):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        # masked[i, j]: query position i may not see key position j > i
        self.register_buffer("masked", torch.ones(block_size, block_size, dtype=torch.bool).triu(1), persistent=False)

    def forward(self, x, cache=None, pos=0):
        B, T, C = x.shape
        hs = C // self.n_head
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, hs).transpose(1, 2) for t in (q, k, v))  # (B, nh, T, hs)
        if cache is not None:  # append this step's keys and values, attend over everything so far
            keys, values = cache
            keys[:, :, pos:pos + T] = k
            values[:, :, pos:pos + T] = v
            k, v = keys[:, :, :pos + T], values[:, :, :pos + T]
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))  # (B, nh, T, pos + T)
        att = att.masked_fill(self.masked[pos:pos + T, :pos + T], float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class MLP(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd)
        self.c_proj = nn.Linear(4 * n_embd, n_embd)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, n_embd, n_head, block_size):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = Attention(n_embd, n_head, block_size)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = MLP(n_embd)

    def forward(self, x, cache=None, pos=0):
        x = x + self.attn(self.ln_1(x), cache, pos)
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab, block_size, n_layer, n_head, n_embd):
        super().__init__()
        self.n_head = n_head
        self.wte = nn.Embedding(vocab, n_embd)
        self.wpe = nn.Embedding(block_size, n_embd)
        self.h = nn.ModuleList(Block(n_embd, n_head, block_size) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd)
        for name, p in self.named_parameters():  # GPT-2's initialisation
            if name.endswith(".bias"):
                nn.init.zeros_(p)
            elif p.dim() == 2:
                std = 0.02 / math.sqrt(2 * n_layer) if name.endswith("c_proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)

    checkpointing = False  # lean training: each block re-run in backward (torch.utils.checkpoint)

    def forward(self, idx, targets=None, caches=None, pos=0):
        T = idx.size(1)
        x = self.wte(idx) + self.wpe(torch.arange(pos, pos + T))
        for i, block in enumerate(self.h):
            if self.checkpointing and self.training and caches is None:
                x = torch.utils.checkpoint.checkpoint(block, x)
            else:
                x = block(x, None if caches is None else caches[i], pos)
        logits = self.ln_f(x) @ self.wte.weight.t()  # tied head: (B, T, C) @ (C, V)
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    def new_caches(self, batch, block_size):
        C = self.wte.weight.size(1)
        shape = (batch, self.n_head, block_size, C // self.n_head)
        return [(torch.empty(shape), torch.empty(shape)) for _ in self.h]


def model_spec(model_id):
    """(vocab, block, n_layer, n_head, n_embd, batch) of a model id, as BenchModel."""
    if model_id == "A":
        return 65, 64, 4, 4, 128, 12
    if model_id == "B":
        return 65, 256, 6, 6, 384, 8
    if model_id in ("C", "C-lean"):
        return 50257, 256, 12, 12, 768, 4
    if model_id.startswith("B-T") and model_id[3:].isdigit():
        block = int(model_id[3:])
        return 65, block, 6, 6, 384, max(1, SCALING_TOKENS // block)
    raise ValueError(f"unknown model '{model_id}'; expected A, B, C, C-lean or B-T<block size>")


def build(model_id):
    vocab, block, n_layer, n_head, n_embd, batch = model_spec(model_id)
    torch.manual_seed(1337)
    return GPT(vocab, block, n_layer, n_head, n_embd), vocab, block, batch


# ----------------------------------------------------------------------------- timing

def time_steps(prepare, step):
    """Per-step seconds by the plan in ARGS (as ZeroLM's TimingPlan.time)."""
    warm_end = time.perf_counter() + ARGS.min_warmup_seconds
    i = 0
    while i < ARGS.warmup or time.perf_counter() < warm_end:
        prepare()
        step()
        i += 1
    seconds = []
    while len(seconds) < ARGS.steps or (sum(seconds) < ARGS.min_seconds and len(seconds) < ARGS.max_steps):
        prepare()
        t0 = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - t0)
    return seconds


def rates(work, seconds):
    r = sorted(work / s for s in seconds)
    n = len(r)
    median = r[n // 2] if n % 2 else (r[n // 2 - 1] + r[n // 2]) / 2
    return {"median": median, "min": r[0], "max": r[-1], "samples": n}


# ----------------------------------------------------------------------------- the rows

def gemm_call(shape, layout):
    """One product's work in GFLOP and a function that runs it once into a preallocated C."""
    M, K, N = (int(d) for d in shape.split("x"))
    g = torch.Generator().manual_seed(42)
    a = torch.rand((K, M) if layout[0] == "T" else (M, K), generator=g) - 0.5
    b = torch.rand((N, K) if layout[1] == "T" else (K, N), generator=g) - 0.5
    op_a = a.t() if layout[0] == "T" else a  # a view: BLAS reads it transposed, no copy
    op_b = b.t() if layout[1] == "T" else b
    c = torch.empty(M, N)
    return 2.0 * M * N * K * 1e-9, lambda: torch.mm(op_a, op_b, out=c)


def gemm(shape, layout):
    work, call = gemm_call(shape, layout)
    return rates(work, time_steps(lambda: None, call))


def parse_gemm_row(row_id):
    kind, _, rest = row_id.partition(".")
    shape, _, layout = rest.partition(".")
    if kind != "gemm" or layout not in ("NN", "NT", "TN", "TT"):
        raise ValueError(f"not a GEMM row id: '{row_id}'")
    return shape, layout


def serve_turns():
    """--turns: one GEMM call per "go" read from stdin, its seconds written back (see the module's docstring)."""
    print(json.dumps(info()), flush=True)
    call = None
    for line in sys.stdin:
        request = line.strip()
        try:
            if request.startswith("row "):
                call = None  # the old operands go before the new ones are made
                call = gemm_call(*parse_gemm_row(request[4:].strip()))[1]
                print("ok", flush=True)
            elif request == "go":
                if call is None:
                    raise ValueError("'go' before a 'row'")
                t0 = time.perf_counter()
                call()
                print(repr(time.perf_counter() - t0), flush=True)
            elif request:
                raise ValueError(f"unknown request '{request}'")
        except Exception as e:  # a bad request must not end the session: say why and wait for the next
            print(f"error: {type(e).__name__}: {e}", flush=True)


def step_in_backward(groups):
    """AdamW per parameter, stepped the moment autograd has accumulated that parameter's gradient, which is then
    dropped (ZeroLM's Optimizer.stepInBackward). torch 1.13 has no register_post_accumulate_grad_hook (2.1), so
    the hook goes on the parameter's AccumulateGrad node, as DistributedDataParallel does; the nodes are returned
    because the graph only holds them weakly."""
    nodes = []
    for group in groups:
        for p in group["params"]:
            opt = torch.optim.AdamW([p], lr=6e-4, betas=(0.9, 0.95), eps=1e-8, weight_decay=group["weight_decay"])
            node = p.expand_as(p).grad_fn.next_functions[0][0]

            def update(*_, p=p, opt=opt):
                opt.step()
                p.grad = None

            node.register_hook(update)
            nodes.append(node)
    return nodes


def train(model_id):
    model, vocab, block, batch = build(model_id)
    model.train()
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "wte" not in n and "wpe" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "wte" not in n and "wpe" not in n)]
    groups = [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}]
    lean = model_id.endswith("-lean")
    if lean:  # checkpointed blocks and AdamW inside backward, as ZeroLM's lean row
        model.checkpointing = True
        hooks = step_in_backward(groups)  # noqa: F841 (kept alive for the hooks)
        opt = torch.optim.AdamW([torch.zeros(1, requires_grad=True)])  # zero_grad/step below: nothing to do
    else:
        opt = torch.optim.AdamW(groups, lr=6e-4, betas=(0.9, 0.95), eps=1e-8)
    g = torch.Generator().manual_seed(7)
    xy = [None, None]

    def prepare():
        xy[0] = torch.randint(vocab, (batch, block), generator=g)
        xy[1] = torch.randint(vocab, (batch, block), generator=g)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = model(xy[0], xy[1])
        loss.backward()
        opt.step()

    return rates(batch * block, time_steps(prepare, step))


def forward(model_id):
    model, vocab, block, batch = build(model_id)
    model.eval()
    g = torch.Generator().manual_seed(7)
    x = [None]

    def prepare():
        x[0] = torch.randint(vocab, (batch, block), generator=g)

    with torch.no_grad():
        return rates(batch * block, time_steps(prepare, lambda: model(x[0])))


def generate(model_id):
    model, vocab, block, _ = build(model_id)
    model.eval()
    if GENERATED_TOKENS > block:
        raise ValueError(f"{GENERATED_TOKENS} new tokens do not fit model {model_id}'s block size {block}")

    def step():
        caches = model.new_caches(1, block)
        token = torch.zeros(1, 1, dtype=torch.long)
        for pos in range(GENERATED_TOKENS):
            logits = model(token, caches=caches, pos=pos)  # (1, 1, V)
            token = logits[:, -1].argmax(dim=-1, keepdim=True)

    with torch.no_grad():
        return rates(GENERATED_TOKENS, time_steps(lambda: None, step))


def train_in_child(row_id):
    """Runs one training row in a fresh Python so its peak memory is its own; returns (result, peak bytes)."""
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--rows", row_id, "--threads", str(ARGS.threads),
           "--warmup", str(ARGS.warmup), "--steps", str(ARGS.steps), "--min-warmup-seconds", str(ARGS.min_warmup_seconds),
           "--min-seconds", str(ARGS.min_seconds), "--max-steps", str(ARGS.max_steps)]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        why = f"killed by signal {-p.returncode}" if p.returncode < 0 else f"exit {p.returncode}"
        last = [line for line in p.stderr.strip().splitlines() if line.strip()][-1:]
        raise RuntimeError(f"child process {why}" + (f": {last[0]}" if last else ""))
    out = json.loads(p.stdout.strip().splitlines()[-1])
    return out["result"], out["peak_bytes"]


def blas_in_use():
    """The BLAS libraries mapped into this process after a torch.mm, with OpenBLAS's kernel or "reference"."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    paths = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            name = os.path.basename(fields[-1]) if len(fields) >= 6 else ""
            if "blas" in name or "mkl" in name or "blis" in name:
                paths.add(os.path.realpath(fields[-1]))
    described = []
    for path in sorted(paths):
        lib = ctypes.CDLL(path)
        if hasattr(lib, "openblas_get_corename"):
            lib.openblas_get_corename.restype = ctypes.c_char_p
            described.append(f"{path} (OpenBLAS, {lib.openblas_get_corename().decode()} kernels)")
        elif os.path.basename(os.path.dirname(path)) == "blas":
            described.append(f"{path} (Debian's reference BLAS: unoptimised, one thread; "
                             "apt-get install libopenblas0-pthread for a fair comparison)")
        else:
            described.append(path)
    return "; ".join(described) or "none found in /proc/self/maps"


def run_row(row_id, results):
    kind, _, rest = row_id.partition(".")
    if kind == "gemm":
        results[row_id] = gemm(*parse_gemm_row(row_id))
    elif kind in ("train", "scaling"):
        result, peak = train_in_child(row_id)
        results[row_id] = result
        mib = peak / 1048576.0
        results["mem." + row_id] = {"median": mib, "min": mib, "max": mib, "samples": 1}
    elif kind == "forward":
        results[row_id] = forward(rest)
    elif kind == "gen":
        results[row_id] = generate(rest)
    else:
        raise ValueError(f"unknown row id '{row_id}'")


def info():
    return {"torch": torch.__version__, "threads": torch.get_num_threads(),
            "blas": blas_in_use() + (f" [{OPENBLAS_CHOICE}]" if "OPENBLAS_CORETYPE" in os.environ else "")}


def main():
    if ARGS.turns:
        serve_turns()
        return
    rows = [r for r in ARGS.rows.split(",") if r]
    if ARGS.worker:
        result = train(rows[0].partition(".")[2])
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports kB
        print(json.dumps({"result": result, "peak_bytes": peak}))
        return
    results, errors = {}, {}
    for row_id in rows:
        print(f"pytorch {row_id:<46} ", end="", file=sys.stderr, flush=True)
        try:
            run_row(row_id, results)
            print(f"{results[row_id]['median']:.1f}", file=sys.stderr)
        except Exception as e:  # one failed row (out of memory, ...) must not lose the others
            errors[row_id] = f"{type(e).__name__}: {e}"
            print("failed: " + errors[row_id], file=sys.stderr)
    print(json.dumps({**info(), "results": results, "errors": errors}))


if __name__ == "__main__":
    main()
