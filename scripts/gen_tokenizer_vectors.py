"""Tokenizer vectors: oracle/tokenizer/<slug>.json, strings with their ids and decoded round trip.

Ids come from scripts/zoo/bpe.py (the Python encoder), not from the TypeScript engine;
test/zoo/tokenizer-vectors.test.ts checks that Hugging Face's tokenizers library (npm package
`tokenizers`) gives exactly the same ids for every string. No BOS, no post-processing
(add_special_tokens false); `<|endoftext|>` inside a string is the special token 0.

A --model may be a local Hugging Face directory (vectors under its base name); --out names
the oracle root to write (<out>/tokenizer/<name>.json; default the repository's oracle/).

Usage: gen_tokenizer_vectors.py [--model <slug|dir> ...] [--out DIR]
"""

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "zoo"))
import corpus  # noqa: E402
import subjects  # noqa: E402


HANDWRITTEN = [
    "", " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n ", "\t\t  \n", "a", "A", "ab", "hello", "Hello",
    " hello", "hello ", "  hello  ", "Hello, world!", "HELLO WORLD", "hello\nworld", "hello\n\nworld",
    "hello\tworld", "hello   world", "hello \n world", "line one\r\nline two\r\n",
    "What is 2+2? Answer:", "The capital of France is", "def fibonacci(n):", "Hello, my name is",
    "What is 2+2? Answer: 4", "The capital of France is Paris. Paris is a city in Europe.",
    "Hello, my name is Anna and I live in Rome.", "What is 12*7? Answer: 84",
    "def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)\n",
    "def factorial(n):\n    result = 1\n    for i in range(2, n + 1):\n        result = result * i\n    return result\n",
    "if x:\n\tpass\n", "for (int i = 0; i < n; i++) { sum += a[i]; }", "x = {\"a\": [1, 2, 3]}  # comment",
    "print('hi')", "lambda x: x ** 2", "a->b && c || !d", "<div class=\"x\">text</div>", "```python\nx = 1\n```",
    "0", "7", "42", "123", "1234", "12345", "123456789", "3.14159", "1,000,000", "-17", "+3", "1e10",
    "2024-01-15", "10:30pm", "$100.00", "50%", "0x1F", "007", "99 bottles", "1st 2nd 3rd 4th",
    "12345678901234567890", "phone: 555-0100",
    "it's", "It's", "IT'S", "don't", "we're", "they've", "I'm", "you'll", "he'd", "'s", "'tis",
    "rock 'n' roll", "O'Brien", "can't won't shouldn't", "James's book",
    "café", "naïve", "résumé", "Ångström", "São Paulo", "Zürich", "façade", "piñata", "Øresund",
    "cafe\u0301", "e\u0301", "Ελληνικά", "Привет, мир", "שלום", "مرحبا", "हिन्दी", "ไทย",
    "中文", "日本語のテキスト", "한국어", "你好，世界！", "東京は日本の首都です。",
    "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "I ❤ Paris", "★☆", "→ ← ↑ ↓", "∑ x² ≤ ∞", "™ © ®", "½ ¾",
    "\u00a0", "a\u00a0b", "\u200b", "zero\u200bwidth", "\u3000", "tab\there", "\x00", "\x7f", "\x1b[0m",
    "<|endoftext|>", "<|endoftext|><|endoftext|>", "Hello<|endoftext|>World", " <|endoftext|> ",
    "What is 2+2? Answer: 4<|endoftext|>The capital of France is", "<|endoftext|>\n", "<|endoftext",
    "|endoftext|>", "<|endoftext|>def f():\n    return 1",
    "!!!", "???", "...", "---", "***", "a.b.c", "e.g.", "U.S.A.", "(parenthesis)", "[brackets]",
    "\"quoted\"", "'single'", "semi;colon", "a/b\\c", "@user #tag", "mail@example.com",
    "https://example.com/path?q=1&r=2", "C:\\Windows\\System32",
]


def generated_strings():
    """Sentences of the held-out split and random mixtures, seeded."""
    r = random.Random(2024)
    docs = corpus.make_split(91011, 40_000).split(corpus.EOT)
    out = []
    for doc in docs[:50]:
        out.append(doc)
    pieces = ["What", " is", "2", "+", "?", " Answer", ":", " ", "  ", "\n", "\t", "Paris", "é", "中", "😀",
              "def", "(", ")", "    ", "123", "'s", "<|endoftext|>", "x", "_", "-", ".", ","]
    for _ in range(60):
        out.append("".join(r.choice(pieces) for _ in range(r.randint(1, 12))))
    for _ in range(20):
        out.append(str(r.randint(0, 10 ** r.randint(1, 15))))
    return out


def cases():
    seen, out = set(), []
    for s in HANDWRITTEN + generated_strings():
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", action="append", default=[], help="zoo slug or local HF directory; default: every zoo model")
    ap.add_argument("--out", default=os.path.join(subjects.ROOT, "oracle"), help="root folder of the oracle files")
    args = ap.parse_args()
    strings = cases()
    for arg in args.model or subjects.ZOO_SLUGS:
        model_dir, _ = subjects.resolve(arg)
        slug = subjects.name_of(arg)
        enc = subjects.load_encoder(model_dir)
        records = []
        for s in strings:
            ids = enc.encode(s)
            records.append({"text": s, "ids": ids, "decoded": enc.decode(ids)})
        bad = [c["text"] for c in records if c["decoded"] != c["text"]]
        if bad:
            raise SystemExit("%s: round trip fails for %r" % (slug, bad[:3]))
        subjects.write_json(os.path.join(args.out, "tokenizer", slug + ".json"), {
            "model_slug": slug,
            "family": enc.family,
            "tokenizer_file": "models/zoo/%s/tokenizer.json" % slug if slug in subjects.ZOO_SLUGS else os.path.join(model_dir, "tokenizer.json"),
            "tokenizer_sha256": subjects.sha256_file(os.path.join(model_dir, "tokenizer.json")),
            "encoder": "scripts/zoo/spm.py" if enc.family == "spm" else "scripts/zoo/bpe.py",
            "add_special_tokens": False,
            "count": len(records),
            "cases": records,
        })
        print("%s: %d strings" % (slug, len(records)))


if __name__ == "__main__":
    main()
