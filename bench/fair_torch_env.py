"""The fair PyTorch set-up for ZeroLM's comparisons; call apply(threads) before torch is imported.

- OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed: a preset (these machines have shipped with
  OPENBLAS_CORETYPE=Haswell) pins OpenBLAS to an older, slower kernel.
- If OpenBLAS then cannot recognise the CPU it falls back to its generic "Prescott" (SSE3) kernels: Debian's
  OpenBLAS 0.3.21 does so on Intel CPU model 207 (Emerald Rapids), where its GEMM runs at 63 GFLOP/s on 2 threads
  instead of 280 with the AVX-512 "SkylakeX" kernels. Only in that case OPENBLAS_CORETYPE is set to the best kernel
  the CPU's flags allow (SkylakeX with AVX-512, Haswell with AVX2 + FMA), and the choice is reported.
- OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = threads, OMP_WAIT_POLICY=PASSIVE (idle OpenMP threads sleep rather than
  spin against OpenBLAS's own threads).
"""
import os
import subprocess
import sys

# Prints OpenBLAS's kernel name ("" when libblas.so.3 is not OpenBLAS); run in a child so that this process loads
# OpenBLAS only once, after the environment is final.
_PROBE = """
import ctypes
try:
    lib = ctypes.CDLL("libblas.so.3")
    lib.openblas_get_corename.restype = ctypes.c_char_p
    print(lib.openblas_get_corename().decode())
except (OSError, AttributeError):
    print("")
"""

# OpenBLAS's fallbacks when it does not know the CPU model.
_GENERIC_KERNELS = {"Prescott", "Core2", "Nehalem", "Penryn", "Dunnington", "Atom"}


def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _openblas_kernel():
    try:
        p = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=30)
        return p.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def best_kernel_for(flags):
    """The fastest OpenBLAS core type these CPU flags can run, or None."""
    if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= flags:
        return "SkylakeX"
    if {"avx2", "fma"} <= flags:
        return "Haswell"
    return None


def apply(threads):
    """Sets the environment; returns a line saying what was chosen for OpenBLAS."""
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        os.environ.pop(var, None)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    detected = _openblas_kernel()
    if detected in _GENERIC_KERNELS:
        best = best_kernel_for(_cpu_flags())
        if best:
            os.environ["OPENBLAS_CORETYPE"] = best
            return f"OpenBLAS did not recognise this CPU (chose {detected}); OPENBLAS_CORETYPE={best} from its flags"
    return f"OpenBLAS kernel as detected: {detected}" if detected else "libblas.so.3 is not OpenBLAS"
