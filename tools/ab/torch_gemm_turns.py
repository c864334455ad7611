"""PyTorch's side of GemmVsTorch.java: one torch.mm per line read from stdin, answering with its seconds.

Run by GemmVsTorch with the fair set-up of bench/fair_torch_env.py (applied before torch is imported):
    /usr/bin/python3 tools/ab/torch_gemm_turns.py M K N NN|NT|TN THREADS
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
import fair_torch_env  # noqa: E402

M, K, N = (int(v) for v in sys.argv[1:4])
layout, threads = sys.argv[4], int(sys.argv[5])
choice = fair_torch_env.apply(threads)

import torch  # noqa: E402

torch.set_num_threads(threads)
g = torch.Generator().manual_seed(42)
a = torch.rand((K, M) if layout[0] == "T" else (M, K), generator=g) - 0.5
b = torch.rand((N, K) if layout[1] == "T" else (K, N), generator=g) - 0.5
op_a = a.t() if layout[0] == "T" else a  # a view: BLAS reads it transposed
op_b = b.t() if layout[1] == "T" else b
c = torch.empty(M, N)
print("ready " + choice, flush=True)
for line in sys.stdin:
    t0 = time.perf_counter()
    torch.mm(op_a, op_b, out=c)
    print(time.perf_counter() - t0, flush=True)
