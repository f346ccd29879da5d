"""SentencePiece-style BPE for the zoo's TinyLlama-style model: trainer, files, encoder.

The vocabulary is laid out as Llama 2's and TinyLlama's: <unk> = 0, <s> = 1, </s> = 2, the 256
byte pieces <0x00>..<0xFF> = 3..258, then the pieces by score, best first (each character the
corpus uses often enough, then every merge in the order training made it). Spaces are "▁",
one is prepended to the text, digits are never merged (split_digits, as Llama's model), and
characters that are rare (emoji) or control-like (newline, tab) have no piece: they are written
as their UTF-8 bytes (byte fallback), so <0x0A> is the newline, as in Llama 2.

Files, as transformers' LlamaConverter writes a Llama tokenizer:
  tokenizer.json  BPE with byte_fallback and fuse_unk, Prepend("▁") + Replace(" ", "▁") as its
                  normalizer, no pre-tokenizer, a <s> $A post-processor, and the decoder
                  Replace("▁", " ") + ByteFallback + Fuse + Strip(1 left). Its merges are every
                  split of a piece into two pieces, best-scored piece first, then by the sides'
                  ids (what LlamaConverter derives from tokenizer.model).
  tokenizer.model a SentencePiece ModelProto (protobuf) with the same pieces, scores and types,
                  model_type BPE, byte_fallback, add_dummy_prefix: the file llama.cpp's converter
                  and sentencepiece read.

The encoder is the project's independent Python implementation of that tokenizer.json (added
tokens split out first; each other segment gets its "▁" prefix, as Hugging Face's legacy
normalizer and llama.cpp both do after a special token); test/zoo checks it against Hugging
Face's tokenizers library.

Usage: spm.py --corpus tokenizer-spm.txt --out models/zoo/tiny-llama-spm [--vocab-size 1024]
"""

import argparse
import collections
import json
import os
import struct

import regex

import chat_templates

SPECIALS = ["<unk>", "<s>", "</s>"]
UNK, BOS, EOS = 0, 1, 2
N_BYTES = 256
SPACE = "▁"
NO_PIECE = {"\n", "\t", "\r"}
MIN_CHAR_COUNT = 400  # a character seen fewer times has no piece (byte fallback)
# training units: a word with its "▁", a lone "▁", a digit, or a character without a piece
UNIT_RE = regex.compile(r"▁?[^▁\s\d]+|▁|\d|\s")
SPECIAL_RE = regex.compile("|".join(regex.escape(t) for t in sorted(SPECIALS, key=lambda t: (-len(t), t))))


def byte_piece(b):
    return "<0x%02X>" % b


def split_special(text):
    out, start = [], 0
    for m in SPECIAL_RE.finditer(text):
        if m.start() > start:
            out.append((text[start:m.start()], False))
        out.append((m.group(), True))
        start = m.end()
    if start < len(text):
        out.append((text[start:], False))
    return out


def normalize(segment):
    """Prepend("▁") + Replace(" ", "▁")."""
    return SPACE + segment.replace(" ", SPACE)


def units(text):
    for piece, special in split_special(text):
        if not special:
            yield from UNIT_RE.findall(normalize(piece))


def train(text, vocab_size):
    """(pieces, scores): normal pieces best first, after the specials and the bytes."""
    words = collections.Counter(units(text))
    chars = collections.Counter()
    for w, c in words.items():
        for ch in w:
            chars[ch] += c
    alphabet = sorted((ch for ch, c in chars.items() if c >= MIN_CHAR_COUNT and ch not in NO_PIECE and not ch.isdigit()),
                      key=lambda ch: (-chars[ch], ch))
    digits = sorted(ch for ch in chars if ch.isdigit())
    base = alphabet + [d for d in digits if d not in alphabet]
    known = set(base)
    corpus = [[list(w), c] for w, c in sorted(words.items()) if not any(ch.isdigit() for ch in w)]
    n_merges = vocab_size - len(SPECIALS) - N_BYTES - len(base)
    merged = []
    for _ in range(n_merges):
        pairs = collections.Counter()
        for symbols, count in corpus:
            for a, b in zip(symbols, symbols[1:]):
                if a in known and b in known:
                    pairs[(a, b)] += count
        if not pairs:
            break
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        a, b = best
        merged.append(a + b)
        known.add(a + b)
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
    pieces = SPECIALS + [byte_piece(b) for b in range(N_BYTES)] + base + merged
    normal = len(SPECIALS) + N_BYTES
    scores = [0.0] * normal + [-float(i) for i in range(len(pieces) - normal)]
    return pieces, scores


# SentencePiece's piece types
NORMAL, UNKNOWN, CONTROL, BYTE = 1, 2, 3, 6


def piece_type(i):
    if i == UNK:
        return UNKNOWN
    if i < len(SPECIALS):
        return CONTROL
    if i < len(SPECIALS) + N_BYTES:
        return BYTE
    return NORMAL


def merges_of(pieces, scores):
    """LlamaConverter's merges: every (left, right) whose concatenation is a piece, best-scored piece first, then by the sides' ids."""
    vocab = {p: i for i, p in enumerate(pieces)}
    out = []
    for piece, pid in vocab.items():
        if piece_type(pid) != NORMAL:
            continue
        for k in range(1, len(piece)):
            left, right = piece[:k], piece[k:]
            if left in vocab and right in vocab and piece_type(vocab[left]) == NORMAL and piece_type(vocab[right]) == NORMAL:
                out.append((-scores[pid], vocab[left], vocab[right], left, right))
    out.sort()
    return [(left, right) for _, _, _, left, right in out]


def added_token(i, content):
    return {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}


def tokenizer_json(pieces, scores):
    vocab = {p: i for i, p in enumerate(pieces)}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added_token(i, t) for i, t in enumerate(SPECIALS)],
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": SPACE},
                                                            {"type": "Replace", "pattern": {"String": " "}, "content": SPACE}]},
        "pre_tokenizer": None,
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                           "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                    {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                           "special_tokens": {"<s>": {"id": "<s>", "ids": [BOS], "tokens": ["<s>"]}}},
        "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": SPACE}, "content": " "},
                                                      {"type": "ByteFallback"}, {"type": "Fuse"},
                                                      {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": vocab, "merges": [[a, b] for a, b in merges_of(pieces, scores)]},
    }


def tokenizer_config():
    added = {str(i): {"content": t, "lstrip": False, "normalized": False, "rstrip": False, "single_word": False, "special": True}
             for i, t in enumerate(SPECIALS)}
    return {"add_bos_token": True, "add_eos_token": False, "added_tokens_decoder": added, "bos_token": "<s>",
            "chat_template": chat_templates.CHAT_TEMPLATES["spm"], "clean_up_tokenization_spaces": False,
            "eos_token": "</s>", "legacy": True, "model_max_length": 2048, "pad_token": "</s>", "padding_side": "right",
            "sp_model_kwargs": {}, "tokenizer_class": "LlamaTokenizer", "unk_token": "<unk>", "use_default_system_prompt": False}


def special_tokens_map():
    return {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "</s>", "unk_token": "<unk>"}


# ---------------------------------------------------------------------------------------
# tokenizer.model: protobuf by hand (varints and length-delimited fields; sentencepiece_model.proto)


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def field_bytes(number, data):
    return varint((number << 3) | 2) + varint(len(data)) + data


def field_float(number, value):
    return varint((number << 3) | 5) + struct.pack("<f", value)


def sentencepiece_model(pieces, scores):
    body = b"".join(field_bytes(1, field_bytes(1, p.encode("utf-8")) + field_float(2, s) + field_varint(3, piece_type(i)))
                    for i, (p, s) in enumerate(zip(pieces, scores)))
    # TrainerSpec: model_type 3 = BPE (2), vocab_size 4, split_digits 25, byte_fallback 35, unk/bos/eos/pad ids 40-43
    trainer = (field_varint(3, 2) + field_varint(4, len(pieces)) + field_varint(25, 1) + field_varint(35, 1) +
               field_varint(40, UNK) + field_varint(41, BOS) + field_varint(42, EOS) + field_varint(43, (1 << 64) - 1))
    # NormalizerSpec: name 1, add_dummy_prefix 3, remove_extra_whitespaces 4, escape_whitespaces 5
    normalizer = field_bytes(1, b"identity") + field_varint(3, 1) + field_varint(4, 0) + field_varint(5, 1)
    return body + field_bytes(2, trainer) + field_bytes(3, normalizer)


def write_json(path, obj):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def write_files(out_dir, pieces, scores):
    os.makedirs(out_dir, exist_ok=True)
    write_json(os.path.join(out_dir, "tokenizer.json"), tokenizer_json(pieces, scores))
    write_json(os.path.join(out_dir, "tokenizer_config.json"), tokenizer_config())
    write_json(os.path.join(out_dir, "special_tokens_map.json"), special_tokens_map())
    with open(os.path.join(out_dir, "tokenizer.model"), "wb") as f:
        f.write(sentencepiece_model(pieces, scores))


# ---------------------------------------------------------------------------------------
# encoding and decoding


class Encoder:
    """Encodes and decodes as the tokenizer.json above does; add_bos puts <s> first (the post-processor)."""

    family = "spm"

    def __init__(self, vocab, merges):
        self.vocab = vocab
        self.id_to_token = {i: t for t, i in vocab.items()}
        self.ranks = {tuple(m): r for r, m in enumerate(merges)}
        self.merge_by_rank = [tuple(m) for m in merges]
        self.added = {t: i for i, t in enumerate(SPECIALS)}
        self.cache = {}

    @classmethod
    def from_file(cls, path):
        with open(path, encoding="utf-8") as f:
            tj = json.load(f)
        model = tj["model"]
        if model.get("type") != "BPE" or not model.get("byte_fallback") or tj.get("normalizer", {}).get("type") != "Sequence":
            raise ValueError("%s: not the zoo's SentencePiece-style tokenizer.json" % path)
        return cls(model["vocab"], [tuple(m) for m in model["merges"]])

    def bpe(self, word):
        symbols = list(word)
        while len(symbols) > 1:
            ranked = [(self.ranks[p], i) for i, p in enumerate(zip(symbols, symbols[1:])) if p in self.ranks]
            if not ranked:
                break
            _, i = min(ranked)
            symbols[i:i + 2] = [symbols[i] + symbols[i + 1]]
        return symbols

    def word_ids(self, word):
        cached = self.cache.get(word)
        if cached is None:
            cached = []
            for s in self.bpe(word):
                if s in self.vocab:
                    cached.append(self.vocab[s])
                else:
                    cached.extend(self.vocab[byte_piece(b)] for b in s.encode("utf-8"))
            self.cache[word] = cached
        return cached

    def encode(self, text, add_bos=False):
        # No piece spans a "▁" inside it, a digit or a whitespace character, so encoding unit by
        # unit equals Hugging Face's BPE over the whole normalized segment.
        ids = [BOS] if add_bos else []
        for piece, special in split_special(text):
            if special:
                ids.append(self.added[piece])
                continue
            for unit in UNIT_RE.findall(normalize(piece)):
                ids.extend(self.word_ids(unit))
        return ids

    def encode_prompt(self, text):
        return self.encode(text, add_bos=True)

    def decode(self, ids):
        """skip_special_tokens=False; the first "▁" of the text is dropped (Strip); a run of byte
        tokens is fused, and where the run is not valid UTF-8 each of its tokens is one U+FFFD
        (Hugging Face's ByteFallback decoder)."""
        out, buf = [], bytearray()
        for i in ids:
            tok = self.id_to_token[i]
            if regex.fullmatch(r"<0x[0-9A-F]{2}>", tok):
                buf.append(int(tok[3:5], 16))
                continue
            out.append(fused_bytes(buf))
            buf = bytearray()
            out.append(tok if i in self.added.values() else tok.replace(SPACE, " "))
        out.append(fused_bytes(buf))
        text = "".join(out)
        return text[1:] if text.startswith(" ") else text


def fused_bytes(run):
    try:
        return run.decode("utf-8")
    except UnicodeDecodeError:
        return "\ufffd" * len(run)


def check_with_sentencepiece(model_file, enc, text, samples=2000):
    """Google's sentencepiece (Debian's python3-sentencepiece), where installed, must read
    tokenizer.model and encode as the tokenizer.json encoder does: the two files are one
    tokenizer. Returns the number of strings compared (0 without the library)."""
    try:
        import sentencepiece
    except ImportError:
        return 0
    import random
    sp = sentencepiece.SentencePieceProcessor(model_file=model_file)
    r = random.Random(7)
    plain = text.replace("<s>", "").replace("</s>", "")
    for _ in range(samples):
        start = r.randrange(len(plain) - 200)
        s = plain[start:start + r.randint(1, 200)]
        if sp.encode(s) != enc.encode(s):
            raise SystemExit("tokenizer.model and tokenizer.json disagree on %r: sentencepiece %s, spm.py %s" % (s, sp.encode(s), enc.encode(s)))
    return samples


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True, help="the model directory: writes tokenizer.json, tokenizer.model, ...")
    ap.add_argument("--vocab-size", type=int, default=1024)
    args = ap.parse_args()
    with open(args.corpus, encoding="utf-8") as f:
        text = f.read()
    pieces, scores = train(text, args.vocab_size)
    assert len(pieces) == args.vocab_size, (len(pieces), args.vocab_size)
    write_files(args.out, pieces, scores)
    enc = Encoder.from_file(os.path.join(args.out, "tokenizer.json"))
    checked = check_with_sentencepiece(os.path.join(args.out, "tokenizer.model"), enc, text)
    print("%s: vocab %d, corpus %d chars -> %d tokens; sentencepiece agrees on %d strings" % (args.out, len(pieces), len(text), len(enc.encode(text)), checked))


if __name__ == "__main__":
    main()
