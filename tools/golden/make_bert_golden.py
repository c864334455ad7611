#!/usr/bin/python3
"""Writes the BERT reference files that ZeroLM's Java BERT and WordPiece tests compare against.

Run with Debian's PyTorch (no `transformers`, no `tokenizers` needed):

    /usr/bin/python3 tools/golden/make_bert_golden.py

It writes
  src/test/resources/hf/tiny-bert/            a tiny random BERT in Hugging Face's layout: config.json,
                                              model.safetensors, vocab.txt, tokenizer_config.json, tokenizer.json
  src/test/resources/golden/bert_tiny.safetensors     inputs, outputs and gradients of that model
  src/test/resources/golden/bert_wordpiece.json       WordPiece tokens and ids of tricky strings

Both references are written here from the published algorithms, in plain Python and plain PyTorch:
BERT's BasicTokenizer + WordpieceTokenizer (google-research/bert tokenization.py, with Hugging Face's
strip_accents option and whole special tokens), and Hugging Face's BertModel / BertForMaskedLM math.
See tools/golden/README.md for the tensor names.
"""
import json
import math
import os
import struct
import sys
import unicodedata

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
RESOURCES = os.path.join(HERE, "..", "..", "src", "test", "resources")
HF_DIR = os.path.join(RESOURCES, "hf", "tiny-bert")
GOLDEN_DIR = os.path.join(RESOURCES, "golden")
GENERATOR = "tools/golden/make_bert_golden.py"

DTYPE_NAMES = {torch.float32: "F32", torch.int64: "I64"}


def write_safetensors(path, tensors, metadata):
    """Plain safetensors: u64 header length, JSON header padded with spaces to 8 bytes, raw little-endian data."""
    assert sys.byteorder == "little", "raw tensor bytes must be little-endian"
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
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
    print(f"{os.path.relpath(path, RESOURCES)}: {len(tensors)} tensors, {os.path.getsize(path)} bytes")


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"{os.path.relpath(path, RESOURCES)}: {os.path.getsize(path)} bytes")


# ----------------------------------------------------------------------------------------------
# The vocabulary: small, but with enough pieces that words split into several "##" pieces, some
# words and characters are unknown, and cased and uncased text tokenize differently.

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PUNCTUATION = [".", ",", "!", "?", "'", "-", "(", ")", ":", "$", "+", "="]
LETTERS = list("abcdefghilmnoprstu")                          # no j k q v w x y z: words with them are [UNK]
CONTINUATIONS = ["##" + c for c in "adeinorsty"] + ["##ed", "##ing", "##ly", "##er", "##es", "##ning",
                                                    "##aff", "##able", "##ve", "##é", "##ï", "##0", "##5"]
WORDS = ["the", "cat", "sat", "on", "mat", "dog", "run", "runs", "ran", "quick", "brown", "fox", "jump", "over",
         "lazy", "hello", "world", "Hello", "World", "cafe", "Caf", "na", "naive", "un", "is", "a", "of",
         "paris", "capital", "france", "don", "stop", "believ", "1", "2", "3", "4", "7", "10", "über", "uber",
         "angstrom", "istanbul", "中", "国", "人", "the"]
VOCAB = []
for token in SPECIALS + PUNCTUATION + LETTERS + CONTINUATIONS + WORDS:
    if token not in VOCAB:
        VOCAB.append(token)
VOCAB_IDS = {t: i for i, t in enumerate(VOCAB)}


# ----------------------------------------------------------------------------------------------
# WordPiece reference: BERT's BasicTokenizer then greedy longest-match-first WordpieceTokenizer.

def is_whitespace(ch):
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch).startswith("C")


def is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def is_chinese(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def strip_accents(text):
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def split_on_punctuation(token):
    out, word = [], ""
    for ch in token:
        if is_punctuation(ch):
            if word:
                out.append(word)
            out.append(ch)
            word = ""
        else:
            word += ch
    if word:
        out.append(word)
    return out


def basic_tokenize(text, lowercase, strip, chinese):
    """strip None means: strip accents exactly when lower-casing (Hugging Face's default)."""
    if strip is None:
        strip = lowercase
    cleaned = []
    for ch in text:
        if ord(ch) == 0 or ord(ch) == 0xFFFD or is_control(ch):
            continue
        cleaned.append(" " if is_whitespace(ch) else ch)
    text = "".join(cleaned)
    if chinese:
        text = "".join(f" {ch} " if is_chinese(ord(ch)) else ch for ch in text)
    pieces = []
    for token in text.split():
        if lowercase:
            token = token.lower()
        if strip:
            token = strip_accents(token)
        pieces.extend(split_on_punctuation(token))
    return " ".join(pieces).split()


def wordpiece(word, vocab, unk="[UNK]", max_chars=100):
    if len(word) > max_chars:
        return [unk]
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                found = piece
                break
            end -= 1
        if found is None:
            return [unk]
        pieces.append(found)
        start = end
    return pieces


def tokenize(text, lowercase=True, strip=None, chinese=True):
    """Special tokens written in the text stay whole (matched case-sensitively before any normalisation)."""
    basic, tokens = [], []
    rest = text
    while rest:
        hits = [(rest.find(s), s) for s in SPECIALS if rest.find(s) >= 0]
        if not hits:
            segment, special, rest = rest, None, ""
        else:
            at, special = min(hits)
            segment, rest = rest[:at], rest[at + len(special):]
        for word in basic_tokenize(segment, lowercase, strip, chinese):
            basic.append(word)
            tokens.extend(wordpiece(word, VOCAB_IDS))
        if special is not None:
            basic.append(special)
            tokens.append(special)
    return basic, tokens


TOKENIZER_SETTINGS = {
    "uncased": dict(lowercase=True, strip=None, chinese=True),
    "cased": dict(lowercase=False, strip=None, chinese=True),
    "uncased_keep_accents": dict(lowercase=True, strip=False, chinese=True),
    "cased_strip_accents": dict(lowercase=False, strip=True, chinese=True),
    "uncased_no_chinese": dict(lowercase=True, strip=None, chinese=False),
}

TEXTS = [
    "Hello world!",
    "hello, WORLD.",
    "Café naïve",
    "CAFÉ NAÏVE",
    "cafe\u0301 decomposed accent",
    "the quick brown fox jumps over the lazy dog",
    "unaffable",
    "running runs ran",
    "中国人",
    "我是中国人",
    "Hello中国world",
    "𠀀 is in CJK extension B",
    "xylophone",
    "a" * 100,
    "a" * 101,
    "a" * 100 + "b",
    "  leading and   trailing  ",
    "tab\tnew\nline\r\nend",
    "zero\u0000width\u200bspace\ufffdand\u00a0nbsp",
    "line\u2028separator",
    "the [MASK] sat on the [SEP] mat",
    "[mask] is not special, [MASK] is",
    "[CLS][SEP]",
    "don't stop-believing...",
    "$10.50 and 3+4=7",
    "Ångström über façade ÜBER",
    "İstanbul",
    "ΟΔΟΣ",
    "ＡＢＣ！",
    "안녕하세요",
    "ひらがなカタカナ",
    "مَرْحَبًا",
    "I ❤ 🤗 pizza",
    "",
    "   ",
    "paris is the capital of france",
]


def make_wordpiece_golden():
    cases = []
    for setting, options in TOKENIZER_SETTINGS.items():
        for text in TEXTS:
            basic, tokens = tokenize(text, **options)
            cases.append({"setting": setting, "text": text, "basic": basic, "tokens": tokens,
                          "ids": [VOCAB_IDS[t] for t in tokens]})
    settings = {name: {"lowercase": o["lowercase"], "strip_accents": o["strip"], "handle_chinese_chars": o["chinese"]}
                for name, o in TOKENIZER_SETTINGS.items()}
    write_json(os.path.join(GOLDEN_DIR, "bert_wordpiece.json"),
               {"generator": GENERATOR, "unicode": unicodedata.unidata_version, "vocab": "hf/tiny-bert/vocab.txt",
                "settings": settings, "cases": cases})


# ----------------------------------------------------------------------------------------------
# BERT in plain PyTorch, following Hugging Face's BertModel and BertForMaskedLM (eval mode: no dropout).

CONFIG = {
    "architectures": ["BertForMaskedLM"],
    "model_type": "bert",
    "vocab_size": len(VOCAB),
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "intermediate_size": 64,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 32,
    "type_vocab_size": 2,
    "initializer_range": 0.02,
    "layer_norm_eps": 1e-12,
    "pad_token_id": 0,
    "position_embedding_type": "absolute",
    "torch_dtype": "float32",
}


def parameter_shapes(c):
    """Hugging Face's names, in BertForPreTraining's order, without the next-sentence head."""
    H, I, V = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    shapes = {
        "bert.embeddings.word_embeddings.weight": (V, H),
        "bert.embeddings.position_embeddings.weight": (c["max_position_embeddings"], H),
        "bert.embeddings.token_type_embeddings.weight": (c["type_vocab_size"], H),
        "bert.embeddings.LayerNorm.weight": (H,),
        "bert.embeddings.LayerNorm.bias": (H,),
    }
    for n in range(c["num_hidden_layers"]):
        p = f"bert.encoder.layer.{n}."
        for proj in ("query", "key", "value"):
            shapes[p + f"attention.self.{proj}.weight"] = (H, H)
            shapes[p + f"attention.self.{proj}.bias"] = (H,)
        shapes[p + "attention.output.dense.weight"] = (H, H)
        shapes[p + "attention.output.dense.bias"] = (H,)
        shapes[p + "attention.output.LayerNorm.weight"] = (H,)
        shapes[p + "attention.output.LayerNorm.bias"] = (H,)
        shapes[p + "intermediate.dense.weight"] = (I, H)
        shapes[p + "intermediate.dense.bias"] = (I,)
        shapes[p + "output.dense.weight"] = (H, I)
        shapes[p + "output.dense.bias"] = (H,)
        shapes[p + "output.LayerNorm.weight"] = (H,)
        shapes[p + "output.LayerNorm.bias"] = (H,)
    shapes["bert.pooler.dense.weight"] = (H, H)
    shapes["bert.pooler.dense.bias"] = (H,)
    shapes["cls.predictions.bias"] = (V,)
    shapes["cls.predictions.transform.dense.weight"] = (H, H)
    shapes["cls.predictions.transform.dense.bias"] = (H,)
    shapes["cls.predictions.transform.LayerNorm.weight"] = (H,)
    shapes["cls.predictions.transform.LayerNorm.bias"] = (H,)
    return shapes


def random_parameters(c):
    """Weights N(0, 0.1) rather than 0.02 so activations and gradients are not tiny; LayerNorms and biases
    are randomised too, so a test also checks they are applied. The [PAD] row starts at zero, as in HF."""
    params = {}
    for name, shape in parameter_shapes(c).items():
        if name.endswith("LayerNorm.weight"):
            t = 1.0 + 0.1 * torch.randn(shape)
        elif name.endswith("bias"):
            t = 0.05 * torch.randn(shape)
        else:
            t = 0.1 * torch.randn(shape)
        params[name] = t
    params["bert.embeddings.word_embeddings.weight"][c["pad_token_id"]] = 0.0
    return {k: v.requires_grad_(True) for k, v in params.items()}


def layer_norm(x, p, prefix, eps):
    return F.layer_norm(x, (x.size(-1),), p[prefix + ".weight"], p[prefix + ".bias"], eps)


def linear(x, p, prefix):
    return F.linear(x, p[prefix + ".weight"], p[prefix + ".bias"])


def bert_forward(p, c, input_ids, token_type_ids, attention_mask):
    """Returns (last hidden state (B, T, H), pooled (B, H), MLM logits (B, T, V))."""
    B, T = input_ids.shape
    H, nh, eps = c["hidden_size"], c["num_attention_heads"], c["layer_norm_eps"]
    hs = H // nh
    position_ids = torch.arange(T).unsqueeze(0)                                         # (1, T)
    word = p["bert.embeddings.word_embeddings.weight"]
    x = (F.embedding(input_ids, word, padding_idx=c["pad_token_id"])                   # nn.Embedding(padding_idx=pad)
         + F.embedding(token_type_ids, p["bert.embeddings.token_type_embeddings.weight"])
         + F.embedding(position_ids, p["bert.embeddings.position_embeddings.weight"]))  # (B, T, H)
    x = layer_norm(x, p, "bert.embeddings.LayerNorm", eps)
    # get_extended_attention_mask: (B, T) -> (B, 1, 1, T), 0 for tokens, the most negative float for padding
    extended = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
    for n in range(c["num_hidden_layers"]):
        pre = f"bert.encoder.layer.{n}."

        def heads(t):
            return t.view(B, T, nh, hs).permute(0, 2, 1, 3)                               # (B, nh, T, hs)

        q = heads(linear(x, p, pre + "attention.self.query"))
        k = heads(linear(x, p, pre + "attention.self.key"))
        v = heads(linear(x, p, pre + "attention.self.value"))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hs) + extended          # (B, nh, T, T)
        probs = F.softmax(scores, dim=-1)
        context = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous().view(B, T, H)    # (B, T, H)
        a = layer_norm(linear(context, p, pre + "attention.output.dense") + x, p, pre + "attention.output.LayerNorm", eps)
        i = F.gelu(linear(a, p, pre + "intermediate.dense"))                               # exact erf GELU
        x = layer_norm(linear(i, p, pre + "output.dense") + a, p, pre + "output.LayerNorm", eps)
    pooled = torch.tanh(linear(x[:, 0], p, "bert.pooler.dense"))                           # (B, H) from [CLS]
    t = F.gelu(linear(x, p, "cls.predictions.transform.dense"))
    t = layer_norm(t, p, "cls.predictions.transform.LayerNorm", eps)
    logits = F.linear(t, word) + p["cls.predictions.bias"]                                 # decoder tied to word embeddings
    return x, pooled, logits


def make_bert_golden(seed):
    torch.manual_seed(seed)
    c = CONFIG
    os.makedirs(HF_DIR, exist_ok=True)
    with open(os.path.join(HF_DIR, "vocab.txt"), "w", encoding="utf-8") as f:
        for token in VOCAB:
            f.write(token + "\n")
    write_json(os.path.join(HF_DIR, "config.json"), c)
    write_json(os.path.join(HF_DIR, "tokenizer_config.json"), {
        "tokenizer_class": "BertTokenizer", "do_lower_case": True, "strip_accents": None,
        "tokenize_chinese_chars": True, "model_max_length": c["max_position_embeddings"],
        "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]"})
    write_json(os.path.join(HF_DIR, "tokenizer.json"), fast_tokenizer_json())

    params = random_parameters(c)
    stored = dict(params)
    stored["bert.embeddings.position_ids"] = torch.arange(c["max_position_embeddings"]).unsqueeze(0)  # old HF buffer
    write_safetensors(os.path.join(HF_DIR, "model.safetensors"), stored, {"format": "pt"})

    # A padded batch: a sentence pair, a short sentence, a very short one.
    texts = [("the quick brown fox", "jumps over the lazy dog"), ("hello world!", None), ("paris is", None)]
    rows, types = [], []
    for a, b in texts:
        ids = [VOCAB_IDS["[CLS]"]] + [VOCAB_IDS[t] for t in tokenize(a)[1]] + [VOCAB_IDS["[SEP]"]]
        tt = [0] * len(ids)
        if b is not None:
            more = [VOCAB_IDS[t] for t in tokenize(b)[1]] + [VOCAB_IDS["[SEP]"]]
            ids += more
            tt += [1] * len(more)
        rows.append(ids)
        types.append(tt)
    T = max(len(r) for r in rows)
    B = len(rows)
    token_ids = torch.zeros(B, T, dtype=torch.int64)
    token_type_ids = torch.zeros(B, T, dtype=torch.int64)
    attention_mask = torch.zeros(B, T, dtype=torch.int64)
    for i, (ids, tt) in enumerate(zip(rows, types)):
        token_ids[i, :len(ids)] = torch.tensor(ids)
        token_type_ids[i, :len(tt)] = torch.tensor(tt)
        attention_mask[i, :len(ids)] = 1
    # Masked-LM targets: positions chosen by hand, replaced by [MASK] (one kept as itself, as BERT's 10% rule
    # does); padded and unchosen positions are -100. Row 2 also holds a real [PAD] id at position 3, whose
    # embedding row gets no gradient from the lookup (nn.Embedding's padding_idx).
    labels = torch.full((B, T), -100, dtype=torch.int64)
    input_ids = token_ids.clone()
    for i, j, replace in [(0, 2, True), (0, 5, True), (0, 9, False), (1, 2, True), (2, 1, True)]:
        labels[i, j] = token_ids[i, j]
        if replace:
            input_ids[i, j] = VOCAB_IDS["[MASK]"]
    input_ids[2, 3] = c["pad_token_id"]
    assert attention_mask[2, 3] == 1

    hidden, pooled, logits = bert_forward(params, c, input_ids, token_type_ids, attention_mask)
    mlm_loss = F.cross_entropy(logits.view(-1, c["vocab_size"]), labels.view(-1), ignore_index=-100)
    r_pooled = torch.randn(B, c["hidden_size"])
    loss = mlm_loss + (pooled * r_pooled).sum()                      # the pooled term gives the pooler gradients
    loss.backward()

    g = {"token_ids": token_ids, "input_ids": input_ids, "token_type_ids": token_type_ids,
         "attention_mask": attention_mask, "labels": labels, "r_pooled": r_pooled,
         "last_hidden_state": hidden, "pooled": pooled, "mlm_logits": logits, "mlm_loss": mlm_loss, "loss": loss}
    for name, t in params.items():
        g["grad." + name] = t.grad
    meta = {"format": "pt", "case": "bert_tiny", "seed": seed, "generator": GENERATOR, "torch": torch.__version__,
            "model": "hf/tiny-bert", "texts": json.dumps(texts), "ignore_index": -100,
            "loss": "mlm_loss + (pooled * r_pooled).sum()"}
    write_safetensors(os.path.join(GOLDEN_DIR, "bert_tiny.safetensors"), g, meta)


def fast_tokenizer_json():
    """The tokenizer.json a Hugging Face BertTokenizerFast writes for this vocabulary (uncased)."""
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": VOCAB_IDS[s], "content": s, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for s in SPECIALS],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {s: {"id": s, "ids": [VOCAB_IDS[s]], "tokens": [s]} for s in ("[CLS]", "[SEP]")},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": VOCAB_IDS},
    }


def main():
    torch.set_num_threads(1)
    os.makedirs(GOLDEN_DIR, exist_ok=True)
    make_wordpiece_golden()
    make_bert_golden(seed=11)


if __name__ == "__main__":
    main()
