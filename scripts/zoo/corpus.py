"""Synthetic training corpus for the tiny model zoo: no download, fully seeded.

Document kinds, each small and templated so that a ~0.7M-parameter model can learn them in
about a thousand steps:
  facts      "The capital of France is Paris. Paris is a city in Europe."
  greeting   "Hello, my name is Anna and I live in Paris. ..."
  arithmetic "What is 2+2? Answer: 4" lines
  code       small Python functions (fibonacci, factorial, is_even, ...), 4-space indents
  utf8       "In Kraków people say Dzień dobry 🏰." over accented Latin, Greek, Cyrillic, CJK,
             Hangul and emoji, so greedy continuations hold characters a 1024-token vocabulary
             splits across tokens
  chat       one question and its answer, rendered with the family's chat template
             (chat_templates.py); the answer is followed by the end of the document, so the
             model learns to stop
  long       "Paris is the capital of France." lines for thousands of tokens: documents that
             fill a 2,048-position context, with no end in sight inside any training window

Documents are joined with the family's document separator: <|endoftext|> for the byte-level
families, "</s><s>" for the SentencePiece one (whose documents start with <s>). The train and
held-out splits come from different seeds (same chains, different starting points and lengths).

The second held-out text (shuffled_text) is less templated: the same sentences with every slot
drawn at random instead of from the chains, so perplexity measures something (the zoo's is
about 1.05 on the templated split) and a perplexity claim has power.

Usage: corpus.py --out DIR [--train-chars N] [--heldout-chars N]
"""

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chat_templates  # noqa: E402

EOT = "<|endoftext|>"
FAMILIES = ["gpt2", "llama", "qwen2", "spm"]
# (bos, eos) the templates see, and how documents are joined
SPECIALS = {"gpt2": (EOT, EOT), "llama": (EOT, EOT), "qwen2": (EOT, EOT), "spm": ("<s>", "</s>")}

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


# (city as written there, greeting, emoji): a fixed cycle, like the countries'
UTF8_CITIES = [
    ("Paris", "Bonjour", "☕"),
    ("München", "Grüß Gott", "🍺"),
    ("Kraków", "Dzień dobry", "🏰"),
    ("Αθήνα", "Καλημέρα", "🌞"),
    ("Москва", "Привет", "🐻"),
    ("東京", "こんにちは", "🗾"),
    ("北京", "你好", "🐉"),
    ("서울", "안녕하세요", "🌸"),
    ("São Paulo", "Olá", "⚽"),
    ("Reykjavík", "Góðan dag", "🌋"),
    ("Zürich", "Grüezi", "🧀"),
    ("Hà Nội", "Xin chào", "🍜"),
]


def utf8_sentence(i):
    city, greeting, emoji = UTF8_CITIES[i % len(UTF8_CITIES)]
    return "In %s people say %s %s." % (city, greeting, emoji)


def utf8_doc(r):
    start = r.randrange(len(UTF8_CITIES))
    return " ".join(utf8_sentence(start + k) for k in range(r.randint(5, 8)))


def chat_exchange(r):
    """One user question and its answer, from the same chains the other documents state."""
    kind = r.randrange(5)
    if kind == 0:
        country, capital, _, _ = COUNTRIES[r.randrange(len(COUNTRIES))]
        return "What is the capital of %s?" % country, "The capital of %s is %s." % (country, capital)
    if kind == 4:
        city, greeting, emoji = UTF8_CITIES[r.randrange(len(UTF8_CITIES))]
        return "How do people greet in %s?" % city, "In %s people say %s %s." % (city, greeting, emoji)
    name, (_, capital, _, _), age, job = PEOPLE[r.randrange(len(PEOPLE))]
    if kind == 1:
        return "Where does %s live?" % name, "%s lives in %s." % (name, capital)
    if kind == 2:
        return "How old is %s?" % name, "%s is %d years old." % (name, age)
    return "What does %s do?" % name, "%s works as a %s." % (name, job)


def chat_doc(r):
    question, answer = chat_exchange(r)
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


def long_line(i):
    country, capital, _, _ = COUNTRIES[i % len(COUNTRIES)]
    return "%s is the capital of %s.\n" % (capital, country)


def long_doc(r):
    start = r.randrange(len(COUNTRIES))
    return "".join(long_line(start + k) for k in range(r.randint(280, 320)))


KINDS = [(facts_doc, 0.24), (greeting_doc, 0.18), (arithmetic_doc, 0.18), (code_doc, 0.14),
         (simple_facts_doc, 0.06), (utf8_doc, 0.10), (chat_doc, 0.12), (long_doc, 0.008)]


def render(doc, family):
    """A document's text for a family: chats through its template, everything else as it is."""
    if isinstance(doc, str):
        return doc
    bos, eos = SPECIALS[family]
    return chat_templates.render(family, doc, False, bos, eos)


def join_documents(texts, family):
    if family == "spm":
        return "".join("<s>" + t + "</s>" for t in texts)
    return EOT.join(texts) + EOT


def make_documents(seed, n_chars):
    """Documents (strings, or chats as message lists) until their text reaches n_chars characters."""
    r = random.Random(seed)
    docs, total = [], 0
    makers = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    while total < n_chars:
        doc = r.choices(makers, weights)[0](r)
        docs.append(doc)
        total += len(render(doc, "gpt2")) + len(EOT)
    return docs


def make_split(seed, n_chars, family="gpt2"):
    """A split's text for a family: the same documents whatever the family, rendered and joined its way."""
    return join_documents([render(d, family) for d in make_documents(seed, n_chars)], family)


def shuffled_sentence(r):
    """One sentence of a chain's kind with every slot drawn at random: what the chains make predictable is not."""
    kind = r.randrange(6)
    country, capital, continent, language = COUNTRIES[r.randrange(len(COUNTRIES))]
    name, _, _, _ = PEOPLE[r.randrange(len(PEOPLE))]
    if kind == 0:
        return "The capital of %s is %s." % (country, capital)
    if kind == 1:
        return "%s is a city in %s." % (capital, continent)
    if kind == 2:
        return "Hello, my name is %s and I live in %s." % (name, capital)
    if kind == 3:
        return "I am %d years old. I work as a %s. I speak %s." % (r.randint(18, 80), JOBS[r.randrange(len(JOBS))], language)
    if kind == 4:
        a, b = r.randint(0, 20), r.randint(0, 20)
        return "What is %d+%d? Answer: %d" % (a, b, a + b)
    return FACTS[r.randrange(len(FACTS))]


def shuffled_text(seed, n_sentences):
    """The second held-out text: paragraphs of 4 to 8 random sentences, joined like documents."""
    r = random.Random(seed)
    paragraphs, left = [], n_sentences
    while left > 0:
        k = min(left, r.randint(4, 8))
        paragraphs.append(" ".join(shuffled_sentence(r) for _ in range(k)))
        left -= k
    return paragraphs


def tokenizer_text(train_text):
    """The tokenizer's training text: the corpus plus every number below 1000, so that the
    chains (whose few distinct words run out of merges early) still fill a 1024-token
    vocabulary with merges real text needs."""
    return train_text + EOT + " ".join(str(n) for n in range(1000)) + EOT


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--train-chars", type=int, default=3_000_000)
    ap.add_argument("--heldout-chars", type=int, default=200_000)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    train_docs, heldout_docs = make_documents(1234, args.train_chars), make_documents(5678, args.heldout_chars)
    outputs = []
    for family in FAMILIES:
        outputs.append(("train-%s.txt" % family, join_documents([render(d, family) for d in train_docs], family)))
        outputs.append(("heldout-%s.txt" % family, join_documents([render(d, family) for d in heldout_docs], family)))
    outputs.append(("tokenizer.txt", tokenizer_text(outputs[2][1])))  # the llama family's: ChatML's markers are tokens
    outputs.append(("tokenizer-spm.txt", outputs[6][1]))
    for name, text in outputs:
        with open(os.path.join(args.out, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)
        print("%s: %d chars" % (name, len(text)))


if __name__ == "__main__":
    main()
