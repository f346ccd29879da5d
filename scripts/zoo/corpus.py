"""Synthetic training corpus for the tiny model zoo: no download, fully seeded.

Four kinds of documents, each small and templated so that a ~0.7M-parameter model can
learn them in 800 steps:
  facts      "The capital of France is Paris. Paris is a city in Europe."
  greeting   "Hello, my name is Anna and I live in Paris. ..."
  arithmetic "What is 2+2? Answer: 4" lines
  code       small Python functions (fibonacci, factorial, is_even, ...), 4-space indents

Documents are joined with the special token text <|endoftext|>. The train split and the
held-out split come from different seeds (same chains, different starting points and lengths).

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
    "fibonacci": "def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)\n",
    "factorial": "def factorial(n):\n    if n == 0:\n        return 1\n    return n * factorial(n - 1)\n",
    "is_even": "def is_even(n):\n    return n % 2 == 0\n",
    "is_odd": "def is_odd(n):\n    return n % 2 == 1\n",
    "sum_list": "def sum_list(items):\n    total = 0\n    for x in items:\n        total = total + x\n    return total\n",
    "max_list": "def max_list(items):\n    best = items[0]\n    for x in items:\n        if x > best:\n            best = x\n    return best\n",
    "reverse_string": "def reverse_string(s):\n    return s[::-1]\n",
    "square": "def square(x):\n    return x * x\n",
    "count_vowels": "def count_vowels(s):\n    count = 0\n    for c in s:\n        if c in \"aeiou\":\n            count = count + 1\n    return count\n",
}


# Every document is a window into a fixed chain: given what came before, the next item is
# determined (the next country of a fixed cycle, the next person of a fixed cast, the next
# sum with both operands one larger, the next function of a fixed list). A model trained on
# them continues each prompt with large top-1 margins, so quantization or a numerical
# difference cannot flip a greedy token by chance, while any real bug still changes the text.
# Documents are long enough (at least 5 items) that 32 generated tokens never reach their end.

PEOPLE = [(name, COUNTRIES[(3 * i) % len(COUNTRIES)], 20 + 3 * i, JOBS[i % len(JOBS)]) for i, name in enumerate(NAMES)]


def capital_sentence(i):
    country, capital, continent, _ = COUNTRIES[i % len(COUNTRIES)]
    return "The capital of %s is %s. %s is a city in %s." % (country, capital, capital, continent)


def facts_doc(r):
    start = r.randrange(len(COUNTRIES))
    return " ".join(capital_sentence(start + k) for k in range(r.randint(5, 9)))


def simple_facts_doc(r):
    start = r.randrange(len(FACTS))
    return " ".join(FACTS[(start + k) % len(FACTS)] for k in range(r.randint(5, 9)))


def person_text(i):
    name, (_, capital, _, language), age, job = PEOPLE[i % len(PEOPLE)]
    return "Hello, my name is %s and I live in %s. I am %d years old. I work as a %s. I speak %s." % (
        name, capital, age, job, language)


def greeting_doc(r):
    # The cast always starts with its first person: "Hello, my name is" at the start of a
    # context names one person, not a random one.
    return " ".join(person_text(k) for k in range(r.randint(5, 8)))


def arithmetic_doc(r):
    a, b = r.randint(0, 9), r.randint(0, 9)
    return "\n".join("What is %d+%d? Answer: %d" % (a + k, b + k, a + b + 2 * k) for k in range(r.randint(5, 9)))


FUNCTION_ORDER = ["fibonacci", "factorial", "is_even", "is_odd", "sum_list", "max_list", "reverse_string",
                  "square", "count_vowels"]


def code_doc(r):
    start = r.randrange(len(FUNCTION_ORDER))
    names = [FUNCTION_ORDER[(start + k) % len(FUNCTION_ORDER)] for k in range(r.randint(5, 7))]
    return "\n".join(CODE_FUNCS[name] for name in names)


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


def tokenizer_text(train_text):
    """The tokenizer's training text: the corpus plus every number below 1000, so that the
    chains (whose few distinct words run out of merges early) still fill a 1024-token
    vocabulary with merges real text needs."""
    return train_text + EOT + " ".join(str(n) for n in range(1000)) + EOT


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--train-chars", type=int, default=2_500_000)
    ap.add_argument("--heldout-chars", type=int, default=200_000)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    train = make_split(1234, args.train_chars)
    outputs = [("train.txt", train), ("heldout.txt", make_split(5678, args.heldout_chars)), ("tokenizer.txt", tokenizer_text(train))]
    for name, text in outputs:
        with open(os.path.join(args.out, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)
        print("%s: %d chars, %d documents" % (name, len(text), text.count(EOT)))


if __name__ == "__main__":
    main()
