#!/usr/bin/env python3
"""Writes a small safetensors file with PyTorch tensors, using only struct + json (no safetensors package),
laid out the way the reference library does it: data sorted by element size (largest first) then name,
header padded with spaces to a multiple of 8. A sidecar JSON holds the exact values PyTorch computed,
as float32 bit patterns, so the Java reader and the Java bf16/f16 rounding can be checked bit for bit.

Usage: python3 tools/golden/make_safetensors_sample.py src/test/resources/golden
"""
import json
import struct
import sys
from pathlib import Path

import torch

DTYPE_NAMES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}


def sample_tensors():
    """Each entry: name -> (float32 source or None, tensor as stored)."""
    f32 = torch.tensor([[1.5, -2.25, 3.0e-8], [65504.0, -0.0, 1.0 / 3.0]], dtype=torch.float32)
    half_source = torch.tensor([0.1, -1.0e-5, 70000.0, 2.0 ** -24, 1.0 + 2.0 ** -11], dtype=torch.float32)
    bf16_source = torch.tensor([[0.1, 1.0 / 3.0], [-3.14159, 1.0e38], [1.00390625, 1.01171875]],
                               dtype=torch.float32)  # the last two are exact ties: round to even
    return {
        "transformer.wte.weight": (None, f32),
        "transformer.h.0.ln_1.weight": (half_source, half_source.half()),
        "transformer.h.0.attn.bias": (bf16_source, bf16_source.bfloat16()),
        "scalar": (None, torch.tensor(42.0, dtype=torch.float32)),
        "f64": (None, torch.tensor([1.0e-300, 3.141592653589793, -2.5], dtype=torch.float64)),
        "ids": (None, torch.tensor([0, -1, 2 ** 40, 50256], dtype=torch.int64)),
        "i32": (None, torch.tensor([-7, 123456789], dtype=torch.int32)),
        "i16": (None, torch.tensor([-32768, 32767], dtype=torch.int16)),
        "i8": (None, torch.tensor([-128, 5], dtype=torch.int8)),
        "u8": (None, torch.tensor([0, 200, 255], dtype=torch.uint8)),
        "mask": (None, torch.tensor([True, False, True])),
        "empty": (None, torch.zeros((0, 4), dtype=torch.float32)),
    }


def raw_bytes(t):
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return t.contiguous().numpy().tobytes()  # little-endian on every machine PyTorch ships for


def float32_bits(t):
    return t.float().reshape(-1).view(torch.int32).tolist()


def main(out_dir):
    out_dir = Path(out_dir)
    tensors = sample_tensors()
    order = sorted(tensors, key=lambda n: (-tensors[n][1].element_size(), n))
    header, data, expected = {}, bytearray(), {}
    for name in order:
        source, t = tensors[name]
        blob = raw_bytes(t)
        header[name] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [len(data), len(data) + len(blob)]}
        data += blob
        entry = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape)}
        if t.dtype.is_floating_point:
            entry["float32_bits"] = float32_bits(t)
        else:
            entry["values"] = t.reshape(-1).long().tolist()
        if source is not None:
            entry["source_float32_bits"] = float32_bits(source)
        expected[name] = entry
    ordered_header = {"__metadata__": {"format": "pt", "producer": "make_safetensors_sample.py"}}
    ordered_header.update({name: header[name] for name in sorted(header)})
    text = json.dumps(ordered_header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    (out_dir / "sample.safetensors").write_bytes(struct.pack("<Q", len(text)) + text + bytes(data))
    (out_dir / "sample.expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print(f"wrote {len(order)} tensors, header {len(text)} bytes, data {len(data)} bytes, torch {torch.__version__}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/golden")
