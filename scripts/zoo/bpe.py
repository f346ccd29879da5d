"""Byte-level BPE for the tiny zoo: trainer, Hugging Face tokenizer.json writer, encoder.

One set of merges is trained once with the GPT-2 pre-tokenizer regex; three tokenizer.json
files then share that vocab and those merges but carry each family's real pre_tokenizer,
exactly as Hugging Face writes it:
  gpt2   (tiny-gpt2)   ByteLevel(use_regex)
  llama  (tiny-llama)  Digits(individual) + ByteLevel(use_regex)   as SmolLM
  qwen2  (tiny-qwen2)  Split(Qwen2 regex, Isolated) + ByteLevel(no regex)

The encoder here is the project's independent Python implementation of those pipelines
(added-token split -> pre-tokenize -> bytes to unicode -> merges by rank). It is used for
training data, oracles and tokenizer vectors; test/zoo checks it against Hugging Face's own
tokenizers library. It is not the TypeScript engine's tokenizer and never imports it.

Usage: bpe.py --corpus train.txt --out-root models/zoo [--vocab-size 1024]
"""

import argparse
import collections
import json
import os
import unicodedata

import regex

import chat_templates

EOT = "<|endoftext|>"
# ChatML's markers are added tokens, as in SmolLM and Qwen2; ids 0, 1, 2
SPECIAL_TOKENS = [EOT, "<|im_start|>", "<|im_end|>"]

GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
QWEN2_PATTERN = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""

GPT2_RE = regex.compile(GPT2_PATTERN)
QWEN2_RE = regex.compile(QWEN2_PATTERN)
DIGIT_RE = regex.compile(r"\p{N}")  # Rust char::is_numeric: general categories Nd, Nl, No

PRE_TOKENIZERS = {
    "gpt2": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
    "llama": {"type": "Sequence", "pretokenizers": [
        {"type": "Digits", "individual_digits": True},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
    ]},
    "qwen2": {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": QWEN2_PATTERN}, "behavior": "Isolated", "invert": False},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
    ]},
}
FAMILIES = sorted(PRE_TOKENIZERS)
ZOO_FAMILY = {"tiny-gpt2": "gpt2", "tiny-llama": "llama", "tiny-qwen2": "qwen2"}


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable unicode character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


BYTE_TO_UNICODE = bytes_to_unicode()
UNICODE_TO_BYTE = {c: b for b, c in BYTE_TO_UNICODE.items()}


def split_special(text, specials=tuple(SPECIAL_TOKENS)):
    """[(piece, is_special)]: added tokens are cut out before any pre-tokenization
    (leftmost match, longest first among tokens starting at the same place)."""
    if not specials:
        return [(text, False)] if text else []
    pattern = regex.compile("|".join(regex.escape(t) for t in sorted(specials, key=lambda t: (-len(t), t))))
    out, start = [], 0
    for m in pattern.finditer(text):
        if m.start() > start:
            out.append((text[start:m.start()], False))
        out.append((m.group(), True))
        start = m.end()
    if start < len(text):
        out.append((text[start:], False))
    return out


def split_isolated(pattern, text):
    """HF Split(behavior=Isolated): every match is a piece, and so is every gap between matches."""
    pieces, last = [], 0
    for m in pattern.finditer(text):
        if m.start() == m.end():
            continue
        if m.start() > last:
            pieces.append(text[last:m.start()])
        pieces.append(m.group())
        last = m.end()
    if last < len(text):
        pieces.append(text[last:])
    return pieces


def pre_tokenize(family, text):
    """Pre-tokens (plain strings, before the byte mapping) of text with no added tokens in it."""
    if family == "gpt2":
        return split_isolated(GPT2_RE, text)
    if family == "llama":
        return [p for d in split_isolated(DIGIT_RE, text) for p in split_isolated(GPT2_RE, d)]
    if family == "qwen2":
        return split_isolated(QWEN2_RE, text)
    raise ValueError("unknown tokenizer family %r (known: %s)" % (family, ", ".join(FAMILIES)))


def to_byte_unicode(piece):
    return "".join(BYTE_TO_UNICODE[b] for b in piece.encode("utf-8"))


# ---------------------------------------------------------------------------------------
# training


def train_merges(text, vocab_size):
    """Greedy BPE on GPT-2 pre-tokens: returns merges [(a, b)] in rank order."""
    words = collections.Counter()
    for piece, special in split_special(text):
        if not special:
            words.update(split_isolated(GPT2_RE, piece))
    # each word: [symbols list, count]
    corpus = [[list(to_byte_unicode(w)), c] for w, c in sorted(words.items())]
    n_merges = vocab_size - len(SPECIAL_TOKENS) - 256
    merges = []
    for _ in range(n_merges):
        pairs = collections.Counter()
        for symbols, count in corpus:
            for a, b in zip(symbols, symbols[1:]):
                pairs[(a, b)] += count
        if not pairs:
            break
        # most frequent pair; ties broken by the pair's text so the result is deterministic
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merges.append(best)
        a, b = best
        for entry in corpus:
            s = entry[0]
            if len(s) < 2:
                continue
            out, i = [], 0
            while i < len(s):
                if i + 1 < len(s) and s[i] == a and s[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            entry[0] = out
    return merges


def build_vocab(merges):
    vocab = {tok: i for i, tok in enumerate(SPECIAL_TOKENS)}
    for b in range(256):
        vocab[BYTE_TO_UNICODE[b]] = len(vocab)
    for a, b in merges:
        vocab[a + b] = len(vocab)
    return vocab


# ---------------------------------------------------------------------------------------
# files as Hugging Face writes them


def added_token(i, content):
    return {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def tokenizer_json(family, vocab, merges):
    qwen = family == "qwen2"
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": not qwen, "use_regex": not qwen}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added_token(vocab[t], t) for t in SPECIAL_TOKENS],
        "normalizer": None,
        "pre_tokenizer": PRE_TOKENIZERS[family],
        "post_processor": byte_level,
        "decoder": byte_level,
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": vocab,
            "merges": ["%s %s" % m for m in merges],
        },
    }


def tokenizer_config(family, vocab):
    added = {str(vocab[t]): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                             "single_word": False, "special": True} for t in SPECIAL_TOKENS}
    cfg = {
        "add_bos_token": False,
        "add_prefix_space": False,
        "added_tokens_decoder": added,
        "bos_token": EOT,
        "clean_up_tokenization_spaces": False,
        "eos_token": EOT,
        "errors": "replace",
        "model_max_length": 512,
        "pad_token": None,
        "tokenizer_class": "Qwen2Tokenizer" if family == "qwen2" else "GPT2Tokenizer",
        "unk_token": None if family == "qwen2" else EOT,
    }
    if family == "qwen2":
        cfg["additional_special_tokens"] = []
        cfg["split_special_tokens"] = False
    cfg["chat_template"] = chat_templates.CHAT_TEMPLATES[family]
    return cfg


def special_tokens_map(family):
    if family == "qwen2":
        return {"bos_token": EOT, "eos_token": EOT}
    return {"bos_token": EOT, "eos_token": EOT, "unk_token": EOT}


def write_json(path, obj, indent=2):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, indent=indent, ensure_ascii=False)
        f.write("\n")


def write_tokenizer_files(out_dir, family, vocab, merges):
    os.makedirs(out_dir, exist_ok=True)
    write_json(os.path.join(out_dir, "tokenizer.json"), tokenizer_json(family, vocab, merges))
    write_json(os.path.join(out_dir, "tokenizer_config.json"), tokenizer_config(family, vocab))
    write_json(os.path.join(out_dir, "special_tokens_map.json"), special_tokens_map(family))


# ---------------------------------------------------------------------------------------
# encoding and decoding


class Encoder:
    """Encodes and decodes like a Hugging Face tokenizer.json of one family (see module doc)."""

    def __init__(self, family, vocab, merges, added=None, nfc=False):
        if family not in PRE_TOKENIZERS:
            raise ValueError("unknown tokenizer family %r (known: %s)" % (family, ", ".join(FAMILIES)))
        self.family = family
        self.vocab = vocab
        self.added = dict(added) if added is not None else {t: vocab[t] for t in SPECIAL_TOKENS}
        self.nfc = nfc
        self.id_to_token = {i: t for t, i in vocab.items()}
        self.id_to_token.update({i: t for t, i in self.added.items()})
        self.ranks = {tuple(m): r for r, m in enumerate(merges)}
        self.merge_by_rank = [tuple(m) for m in merges]
        self.cache = {}

    @classmethod
    def from_file(cls, path, family=None):
        """Reads a tokenizer.json; the family is recognised from its pre_tokenizer when not given.
        Accepts both merges encodings ("a b" and ["a", "b"]) and an NFC normalizer (Qwen2)."""
        with open(path, encoding="utf-8") as f:
            tj = json.load(f)
        if family is None:
            found = [f for f, pre in PRE_TOKENIZERS.items() if pre == tj.get("pre_tokenizer")]
            if not found:
                raise ValueError("%s: pre_tokenizer %s is none of the known families" % (path, json.dumps(tj.get("pre_tokenizer"))))
            family = found[0]
        normalizer = tj.get("normalizer")
        if normalizer not in (None, {"type": "NFC"}):
            raise ValueError("%s: unsupported normalizer %s" % (path, json.dumps(normalizer)))
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in tj["model"]["merges"]]
        added = {t["content"]: t["id"] for t in tj.get("added_tokens", [])}
        return cls(family, tj["model"]["vocab"], merges, added=added, nfc=normalizer is not None)

    def bpe(self, word):
        """Symbols of one byte-mapped pre-token after applying merges lowest rank first."""
        symbols = list(word)
        while len(symbols) > 1:
            ranked = [self.ranks[p] for p in zip(symbols, symbols[1:]) if p in self.ranks]
            if not ranked:
                break
            best = min(ranked)
            a, b = self.merge_by_rank[best]
            out, i = [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and symbols[i] == a and symbols[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            symbols = out
        return symbols

    def encode(self, text):
        ids = []
        for piece, special in split_special(text, tuple(self.added)):
            if special:
                ids.append(self.added[piece])
                continue
            if self.nfc:
                piece = unicodedata.normalize("NFC", piece)
            for pre in pre_tokenize(self.family, piece):
                cached = self.cache.get(pre)
                if cached is None:
                    cached = [self.vocab[s] for s in self.bpe(to_byte_unicode(pre))]
                    self.cache[pre] = cached
                ids.extend(cached)
        return ids

    def encode_prompt(self, text):
        """A prompt's ids: the zoo's byte-level tokenizers prepend no BOS."""
        return self.encode(text)

    def decode(self, ids):
        """Special tokens are kept (skip_special_tokens=False); invalid UTF-8 becomes U+FFFD."""
        out, buf = [], bytearray()
        for i in ids:
            tok = self.id_to_token[i]
            if tok in self.added:
                out.append(buf.decode("utf-8", errors="replace"))
                buf = bytearray()
                out.append(tok)
            else:
                buf.extend(UNICODE_TO_BYTE[c] for c in tok)
        out.append(buf.decode("utf-8", errors="replace"))
        return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out-root", required=True, help="writes <out-root>/<slug>/tokenizer*.json")
    ap.add_argument("--vocab-size", type=int, default=1024)
    args = ap.parse_args()
    with open(args.corpus, encoding="utf-8") as f:
        text = f.read()
    merges = train_merges(text, args.vocab_size)
    vocab = build_vocab(merges)
    assert len(vocab) == args.vocab_size, (len(vocab), args.vocab_size)
    for slug, family in sorted(ZOO_FAMILY.items()):
        write_tokenizer_files(os.path.join(args.out_root, slug), family, vocab, merges)
        n = len(Encoder(family, vocab, merges).encode(text))
        print("%s: vocab %d, %d merges, corpus %d chars -> %d tokens" % (slug, len(vocab), len(merges), len(text), n))


if __name__ == "__main__":
    main()
