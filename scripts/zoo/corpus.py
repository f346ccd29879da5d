"""Synthetic training corpus for the tiny model zoo: no download, fully seeded.

Four kinds of documents, each small and templated so that a ~0.7M-parameter model can
learn them in 2000 steps:
  facts      "The capital of France is Paris. Paris is a city in Europe."
  greeting   "Hello, my name is Anna and I live in Rome. ..."
  arithmetic "What is 2+2? Answer: 4" lines
  code       small Python functions (fibonacci, factorial, is_even, ...), 4-space indents

Documents are joined with the special token text <|endoftext|>. The train split and the
held-out split come from different seeds (same templates, different draws).

This is not a benchmark of language modelling; it only has to make four prompts
("What is 2+2? Answer:", "The capital of France is", "def fibonacci(n):",
"Hello, my name is") well in distribution so that greedy text is coherent.

Usage: corpus.py --out DIR [--train-chars N] [--heldout-chars N]
"""

import argparse
import os
import random

EOT = "<|endoftext|>"

# (country, capital, continent, language)
COUNTRIES = [
    ("France", "Paris", "Europe", "French"),
    ("Germany", "Berlin", "Europe", "German"),
    ("Italy", "Rome", "Europe", "Italian"),
    ("Spain", "Madrid", "Europe", "Spanish"),
    ("Portugal", "Lisbon", "Europe", "Portuguese"),
    ("Poland", "Warsaw", "Europe", "Polish"),
    ("Austria", "Vienna", "Europe", "German"),
    ("Greece", "Athens", "Europe", "Greek"),
    ("Sweden", "Stockholm", "Europe", "Swedish"),
    ("Norway", "Oslo", "Europe", "Norwegian"),
    ("Ireland", "Dublin", "Europe", "English"),
    ("Hungary", "Budapest", "Europe", "Hungarian"),
    ("Japan", "Tokyo", "Asia", "Japanese"),
    ("China", "Beijing", "Asia", "Chinese"),
    ("India", "New Delhi", "Asia", "Hindi"),
    ("Thailand", "Bangkok", "Asia", "Thai"),
    ("Vietnam", "Hanoi", "Asia", "Vietnamese"),
    ("Korea", "Seoul", "Asia", "Korean"),
    ("Egypt", "Cairo", "Africa", "Arabic"),
    ("Kenya", "Nairobi", "Africa", "Swahili"),
    ("Nigeria", "Abuja", "Africa", "English"),
    ("Morocco", "Rabat", "Africa", "Arabic"),
    ("Ghana", "Accra", "Africa", "English"),
    ("Canada", "Ottawa", "North America", "English"),
    ("Mexico", "Mexico City", "North America", "Spanish"),
    ("Cuba", "Havana", "North America", "Spanish"),
    ("Brazil", "Brasilia", "South America", "Portuguese"),
    ("Argentina", "Buenos Aires", "South America", "Spanish"),
    ("Peru", "Lima", "South America", "Spanish"),
    ("Chile", "Santiago", "South America", "Spanish"),
    ("Australia", "Canberra", "Oceania", "English"),
    ("Fiji", "Suva", "Oceania", "English"),
]

NAMES = ["Anna", "Ben", "Clara", "David", "Emma", "Felix", "Grace", "Hugo", "Ines", "Jack",
         "Laura", "Marco", "Nina", "Oscar", "Paula", "Sam", "Tom", "Lucy", "Maria", "Leo"]
JOBS = ["teacher", "doctor", "baker", "nurse", "farmer", "driver", "writer", "cook",
        "painter", "student"]
HOBBIES = ["reading books", "playing chess", "cooking", "swimming", "music", "running",
           "painting", "dancing", "gardening", "football"]

FACTS = [
    "Water boils at 100 degrees.",
    "Water freezes at 0 degrees.",
    "A week has seven days.",
    "A year has twelve months.",
    "A day has 24 hours.",
    "An hour has 60 minutes.",
    "The sun is a star.",
    "The moon goes around the earth.",
    "The earth goes around the sun.",
    "Cats and dogs are animals.",
    "A dog has four legs.",
    "A bird has two wings.",
    "Fish live in water.",
    "The sky is blue.",
    "Grass is green.",
    "Snow is white.",
    "Bees make honey.",
    "Cows give milk.",
    "Trees need water and light.",
    "Ice is frozen water.",
]

CODE_FUNCS = {
    "fibonacci": [
        "def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)\n",
        "def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n",
    ],
    "factorial": [
        "def factorial(n):\n    if n == 0:\n        return 1\n    return n * factorial(n - 1)\n",
        "def factorial(n):\n    result = 1\n    for i in range(2, n + 1):\n        result = result * i\n    return result\n",
    ],
    "is_even": [
        "def is_even(n):\n    return n % 2 == 0\n",
    ],
    "is_odd": [
        "def is_odd(n):\n    return n % 2 == 1\n",
    ],
    "sum_list": [
        "def sum_list(items):\n    total = 0\n    for x in items:\n        total = total + x\n    return total\n",
        "def sum_list(items):\n    return sum(items)\n",
    ],
    "max_list": [
        "def max_list(items):\n    best = items[0]\n    for x in items:\n        if x > best:\n            best = x\n    return best\n",
    ],
    "reverse_string": [
        "def reverse_string(s):\n    return s[::-1]\n",
    ],
    "square": [
        "def square(x):\n    return x * x\n",
    ],
    "count_vowels": [
        "def count_vowels(s):\n    count = 0\n    for c in s:\n        if c in \"aeiou\":\n            count = count + 1\n    return count\n",
    ],
}
CALLS = {
    "fibonacci": lambda r: "print(fibonacci(%d))\n" % r.randint(1, 12),
    "factorial": lambda r: "print(factorial(%d))\n" % r.randint(1, 8),
    "is_even": lambda r: "print(is_even(%d))\n" % r.randint(0, 20),
    "is_odd": lambda r: "print(is_odd(%d))\n" % r.randint(0, 20),
    "sum_list": lambda r: "print(sum_list([%s]))\n" % ", ".join(str(r.randint(0, 9)) for _ in range(3)),
    "max_list": lambda r: "print(max_list([%s]))\n" % ", ".join(str(r.randint(0, 9)) for _ in range(3)),
    "reverse_string": lambda r: "print(reverse_string(\"%s\"))\n" % r.choice(["hello", "abc", "python"]),
    "square": lambda r: "print(square(%d))\n" % r.randint(0, 12),
    "count_vowels": lambda r: "print(count_vowels(\"%s\"))\n" % r.choice(["hello", "banana", "code"]),
}


def fact_sentence(r):
    country, capital, continent, language = r.choice(COUNTRIES)
    kind = r.random()
    if kind < 0.5:
        return "The capital of %s is %s. %s is a city in %s." % (country, capital, capital, continent)
    if kind < 0.7:
        return "%s is the capital of %s." % (capital, country)
    if kind < 0.85:
        return "%s is a country in %s. Its capital is %s." % (country, continent, capital)
    return "People in %s speak %s." % (country, language)


def facts_doc(r):
    sentences = [fact_sentence(r) for _ in range(r.randint(2, 5))]
    if r.random() < 0.4:
        sentences += r.sample(FACTS, r.randint(1, 3))
        r.shuffle(sentences)
    return " ".join(sentences)


def simple_facts_doc(r):
    return " ".join(r.sample(FACTS, r.randint(2, 5)))


def greeting_doc(r):
    name = r.choice(NAMES)
    country, capital, _, language = r.choice(COUNTRIES)
    opener = "Hello, my name is %s and I live in %s." % (name, capital) if r.random() < 0.8 \
        else "Hi, I am %s. I live in %s." % (name, capital)
    rest = [
        "I am %d years old." % r.randint(18, 70),
        "I work as a %s." % r.choice(JOBS),
        "I like %s." % r.choice(HOBBIES),
        "I speak %s." % language,
        "%s is the capital of %s." % (capital, country),
    ]
    return " ".join([opener] + r.sample(rest, r.randint(1, 3)))


def arithmetic_line(r):
    op = r.choice("+-*")
    if op == "+":
        a, b = r.randint(0, 12), r.randint(0, 12)
        return "What is %d+%d? Answer: %d" % (a, b, a + b)
    if op == "-":
        a = r.randint(0, 20)
        b = r.randint(0, a)
        return "What is %d-%d? Answer: %d" % (a, b, a - b)
    a, b = r.randint(0, 9), r.randint(0, 9)
    return "What is %d*%d? Answer: %d" % (a, b, a * b)


def arithmetic_doc(r):
    return "\n".join(arithmetic_line(r) for _ in range(r.randint(3, 8)))


def code_doc(r):
    names = r.sample(sorted(CODE_FUNCS), r.randint(1, 2))
    parts = []
    for name in names:
        parts.append(r.choice(CODE_FUNCS[name]))
        if r.random() < 0.5:
            parts.append("\n" + CALLS[name](r))
        parts.append("\n")
    return "".join(parts).rstrip("\n") + "\n"


KINDS = [(facts_doc, 0.30), (greeting_doc, 0.22), (arithmetic_doc, 0.22), (code_doc, 0.18),
         (simple_facts_doc, 0.08)]


def make_split(seed, n_chars):
    """Documents joined by EOT until at least n_chars characters."""
    r = random.Random(seed)
    docs, total = [], 0
    makers = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    while total < n_chars:
        doc = r.choices(makers, weights)[0](r)
        docs.append(doc)
        total += len(doc) + len(EOT)
    return EOT.join(docs) + EOT


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--train-chars", type=int, default=2_500_000)
    ap.add_argument("--heldout-chars", type=int, default=200_000)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, seed, n in [("train.txt", 1234, args.train_chars), ("heldout.txt", 5678, args.heldout_chars)]:
        text = make_split(seed, n)
        with open(os.path.join(args.out, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)
        print("%s: %d chars, %d documents" % (name, len(text), text.count(EOT)))


if __name__ == "__main__":
    main()
