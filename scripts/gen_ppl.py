"""Perplexity ground truth: two held-out texts and each zoo model's reference perplexity on them.

  heldout   a prefix of the held-out corpus split (scripts/zoo/corpus.py, seed 5678; its text
            documents, chats left out as their rendering differs by family), cut at a document
            boundary once every zoo tokenizer gives at least MIN_TOKENS tokens. The zoo knows
            its chains: perplexity about 1.05, so only a gross fault moves it by a per cent.
  shuffled  the same kinds of sentences with every slot drawn at random (corpus.shuffled_text,
            seed 9012): what a chain makes predictable is not, so the perplexity is several
            units and a small numeric fault moves it measurably (the claims' power).

Each is written joined by <|endoftext|> (ppl/<text>.txt, for the byte-level models) and as
<s>...</s> documents (ppl/<text>-spm.txt, for a SentencePiece model). The perplexity is
computed Hugging Face style with a sliding window (PROCEDURE below), in fp32 on the CPU with the
same runtime choice as gen_oracle.py; records ppl/<model>.json (heldout) and
ppl/<model>.shuffled.json.

A --model may be a local Hugging Face directory of a supported family (records under its
base name, with the directory and its files' sha256). --out names the oracle root to write
(<out>/ppl/*.txt and <out>/ppl/<name>[.shuffled].json; default the repository's oracle/).

Usage: gen_ppl.py [--model <slug|dir> ...] [--runtime auto|transformers|torch-reference] [--out DIR]
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import hashlib
import math
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "zoo"))
import corpus  # noqa: E402
import subjects  # noqa: E402

TEXTS = ["heldout", "shuffled"]
WINDOW, STRIDE = 128, 64
MIN_TOKENS = 4608  # >= 4096 with margin, under every zoo tokenizer
PROCEDURE = (
    "Tokenize text_file without BOS (n tokens). prev_end = 0; for begin in range(0, n, stride): "
    "end = min(begin + window, n); trg_len = end - prev_end; run the model on tokens[begin:end]; "
    "the logits at window position t predict token begin+t+1; score only the last trg_len tokens of "
    "the window that have a prediction (in the first window that is tokens 1..end-1: token 0 is never "
    "scored); nll_sum += -log_softmax(fp32 logits)[target] summed in float64; prev_end = end; stop "
    "after the window with end == n. tokens_scored = n - 1; perplexity = exp(nll_sum / tokens_scored).")


def text_file(name, style):
    """As the record names it: relative to the oracle root's parent."""
    return "oracle/ppl/%s%s.txt" % (name, "-spm" if style == "spm" else "")


def documents(name):
    if name == "heldout":
        return [d for d in corpus.make_documents(5678, 200_000) if isinstance(d, str)]
    return corpus.shuffled_text(9012, 4000)


def style_of(enc):
    return "spm" if enc.family == "spm" else "gpt2"


def texts(name, encoders):
    """{style: text}: the shortest prefix of whole documents giving every zoo tokenizer MIN_TOKENS tokens."""
    docs = documents(name)
    for k in range(1, len(docs) + 1):
        joined = {style: corpus.join_documents(docs[:k], style) for style in ("gpt2", "spm")}
        if all(len(e.encode(joined[style_of(e)])) >= MIN_TOKENS for e in encoders):
            return joined
    raise SystemExit("%s text too short for %d tokens" % (name, MIN_TOKENS))


@torch.no_grad()
def sliding_nll(model, ids):
    n = len(ids)
    nll_sum, scored, prev_end = 0.0, 0, 0
    for begin in range(0, n, STRIDE):
        end = min(begin + WINDOW, n)
        trg_len = end - prev_end
        logprobs = torch.log_softmax(model.logits(ids[begin:end]).float(), dim=-1).double()
        # predictions for targets begin+1 .. end-1 sit at window positions 0 .. end-begin-2
        first_target = max(end - trg_len, begin + 1)
        for target in range(first_target, end):
            nll_sum -= float(logprobs[target - begin - 1, ids[target]])
            scored += 1
        prev_end = end
        if end == n:
            break
    assert scored == n - 1, (scored, n)
    return nll_sum, scored


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", action="append", default=[], help="zoo or roster slug, or a local HF directory; default: every zoo model")
    ap.add_argument("--runtime", default="auto", choices=["auto", "transformers", "torch-reference"])
    ap.add_argument("--out", default=os.path.join(subjects.ROOT, "oracle"), help="root folder of the oracle files")
    args = ap.parse_args()
    ppl_dir = os.path.join(args.out, "ppl")
    torch.set_num_threads(1)
    runtime = subjects.pick_runtime(args.runtime)
    zoo_encoders = [subjects.load_encoder(os.path.join(subjects.ZOO_DIR, s)) for s in subjects.ZOO_SLUGS]
    all_texts = {name: texts(name, zoo_encoders) for name in TEXTS}
    os.makedirs(ppl_dir, exist_ok=True)
    for name, by_style in all_texts.items():
        for style, text in by_style.items():
            with open(os.path.join(ppl_dir, os.path.basename(text_file(name, style))), "w", encoding="utf-8", newline="") as f:
                f.write(text)
    for arg, name in [(a, n) for a in (args.model or subjects.ZOO_SLUGS) for n in TEXTS]:
        model_dir, hf_id = subjects.resolve(arg)
        slug = subjects.name_of(arg)
        enc = subjects.load_encoder(model_dir)
        style = style_of(enc)
        text = all_texts[name][style]
        text_sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        ids = enc.encode(text)
        model = subjects.LoadedModel(model_dir, runtime, "cpu", "float32")
        nll_sum, scored = sliding_nll(model, ids)
        rec = {
            "model": hf_id,
            "model_slug": slug,
            "runtime": runtime,
            "format": "float32",
            "text_file": text_file(name, style),
            "text_sha256": text_sha,
            "text_tokens": len(ids),
            "window": WINDOW,
            "stride": STRIDE,
            "tokens_scored": scored,
            "nll_sum": round(nll_sum, 4),
            "perplexity": round(math.exp(nll_sum / scored), 6),
            "weights_sha256": subjects.weights_sha256(model_dir),
            **subjects.provenance(slug, model_dir),
            "procedure": PROCEDURE,
        }
        subjects.write_json(os.path.join(ppl_dir, slug + (".json" if name == "heldout" else ".%s.json" % name)), rec)
        print("%s %s: %d tokens, perplexity %.4f [%s]" % (slug, name, len(ids), rec["perplexity"], runtime))


if __name__ == "__main__":
    main()
