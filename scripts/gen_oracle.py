"""Golden greedy outputs (oracles) for every model x prompt, from outside the TypeScript engine.

For each model and each prompt in oracle/prompts/*.txt: tokenize as the model's tokenizer
does a prompt (with the BOS its post-processor adds: the SentencePiece llama's; none for the
byte-level zoo), decode greedily (full recompute every step) for 32 new tokens or the prompt's
own count (PROMPT_SETTINGS), stopping after an end-of-sequence token as transformers' generate
does (generation_config.json's eos_token_id, else config.json's), and write
oracle/<slug>/<prompt>.json with the tokens, the decoded text, why it ended (finish_reason) and,
at every step, the 10 most likely tokens with their log-probabilities (log_softmax of fp32
logits, rounded to 1e-6). A prompt that does not fit the model's positions is left out for it.

Chat prompts are conversations, oracle/prompts/<name>.messages.json: each model with a chat
template (tokenizer_config.json) renders it with the generation prompt, by Python's Jinja2 in
transformers' environment, and that text is the record's prompt.

Next to each record, oracle/<slug>/<prompt>.logprobs.f32 holds every step's whole distribution:
the log_softmax of the fp32 logits over the vocabulary, float32 little-endian, row-major
[step][token] (32 x 1024 x 4 bytes = 128 KiB for the zoo). A vocabulary over FULL_VOCAB_MAX
tokens keeps the TOP_DIST most likely per step instead: per step TOP_DIST (int32 id, float32
log p) pairs, most likely first, then one float32, the log of the probability of all other
tokens. The record's `distributions` names the file, its layout and its sha256.

Runtime: Hugging Face transformers when it can be imported ("transformers"), else the
plain-PyTorch reference in scripts/zoo/reference.py ("torch-reference"); --runtime forces one.
The committed oracle is cpu + float32; any other device or precision writes under
models/cache/oracle-<device>-<precision>/ (ignored by git) unless --out says otherwise.

A --model may be a local Hugging Face directory of a supported family: its records go under
<out>/<directory name>/ with the directory and its files' sha256, and --out then also gets
the prompts (prompts/*.txt), so the folder is a complete oracle for `refute gates --oracle`.

Usage: gen_oracle.py --all | --model <slug|dir> [--model ...]
                     [--device cpu|cuda] [--precision float32|bfloat16|float16]
                     [--runtime auto|transformers|torch-reference] [--out DIR]
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import hashlib
import json
import struct
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "zoo"))
import chat_templates  # noqa: E402
import reference  # noqa: E402
import subjects  # noqa: E402

PROMPTS_DIR = os.path.join(subjects.ROOT, "oracle", "prompts")
MAX_NEW_TOKENS = 32
# prompts that ask for more: "list" decodes 256 tokens (KV caches past 128 and 256 positions), the
# chats 64 (room to reach their end token: a Korean answer is dozens of byte-fallback tokens);
# "utf8" 30, where every zoo continuation ends on a whole character (at 32 the SentencePiece
# llama's stops inside one, whose text is then a decoder convention, not the model's: Hugging
# Face's ByteFallback writes one U+FFFD per byte token, llama.cpp one per invalid sequence)
PROMPT_SETTINGS = {"list": {"max_new_tokens": 256}, "chat": {"max_new_tokens": 64}, "chat-utf8": {"max_new_tokens": 64}, "utf8": {"max_new_tokens": 30}}
TOP_K = 10
FULL_VOCAB_MAX = 4096  # vocabularies up to this size are stored whole
TOP_DIST = 100  # else the top 100 per step and the log-probability of the rest


CHAT_SUFFIX = ".messages.json"


def read_prompts():
    """[(name, text)] of the text prompts."""
    out = []
    for name in sorted(os.listdir(PROMPTS_DIR)):
        if name.endswith(".txt"):
            with open(os.path.join(PROMPTS_DIR, name), encoding="utf-8", newline="") as f:
                out.append((name[:-4], f.read()))
    return out


def read_chat_prompts():
    """[(name, messages)] of the chat prompts."""
    out = []
    for name in sorted(os.listdir(PROMPTS_DIR)):
        if name.endswith(CHAT_SUFFIX):
            with open(os.path.join(PROMPTS_DIR, name), encoding="utf-8") as f:
                out.append((name[:-len(CHAT_SUFFIX)], json.load(f)["messages"]))
    return out


def copy_prompts(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name in sorted(os.listdir(PROMPTS_DIR)):
        if name.endswith(".txt") or name.endswith(CHAT_SUFFIX):
            with open(os.path.join(PROMPTS_DIR, name), "rb") as src, open(os.path.join(out_dir, name), "wb") as dst:
                dst.write(src.read())


def read_json_if_present(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def end_token_ids(model_dir):
    """Where transformers' generate stops: generation_config.json's eos_token_id, else config.json's (an id or a list)."""
    for name in ("generation_config.json", "config.json"):
        cfg = read_json_if_present(os.path.join(model_dir, name)) or {}
        eos = cfg.get("eos_token_id")
        if eos is not None:
            return list(dict.fromkeys(eos if isinstance(eos, list) else [eos]))
    return []


def max_positions(model_dir):
    """The context: max_position_embeddings, but factor times it under dynamic RoPE, whose config
    keeps the original context there (the engine's contextPositions)."""
    cfg = read_json_if_present(os.path.join(model_dir, "config.json"))
    positions = cfg.get("max_position_embeddings") or cfg.get("n_positions")
    scaling, kind = reference.rope_scaling_of(cfg)
    return int(positions * scaling["factor"]) if kind == "dynamic" else positions


def chat_renderer(model_dir):
    """messages -> the prompt the model's chat template makes of them (None: the model has no template)."""
    cfg = read_json_if_present(os.path.join(model_dir, "tokenizer_config.json")) or {}
    template = cfg.get("chat_template")
    if not isinstance(template, str):
        return None
    compiled = chat_templates.environment().from_string(template)

    def token_text(v):
        return v.get("content", "") if isinstance(v, dict) else (v or "")

    return lambda messages: compiled.render(messages=messages, add_generation_prompt=True,
                                            bos_token=token_text(cfg.get("bos_token")), eos_token=token_text(cfg.get("eos_token")))


def greedy_with_topk(model, prompt_ids, max_new_tokens, end_ids):
    """Greedy tokens (the end token included where one stops it), the top-k of every step, every step's log_softmax row (fp32), why it ended."""
    ids, tokens, topk, rows = list(prompt_ids), [], [], []
    for _ in range(max_new_tokens):
        logprobs = torch.log_softmax(model.logits(ids, len(prompt_ids))[-1].float(), dim=-1)
        values, indices = torch.topk(logprobs, TOP_K)
        topk.append([{"token": int(i), "logprob": round(float(v), 6)} for v, i in zip(values, indices)])
        rows.append(logprobs)
        nxt = int(torch.argmax(logprobs))  # first index among equal maxima
        tokens.append(nxt)
        ids.append(nxt)
        if nxt in end_ids:
            return tokens, topk, rows, "stop"
    return tokens, topk, rows, "length"


def distribution_bytes(rows):
    """The steps' distributions as the .logprobs.f32 file stores them, and the record's description."""
    vocab = int(rows[0].shape[0])
    if vocab <= FULL_VOCAB_MAX:
        data = b"".join(struct.pack("<%df" % vocab, *r.tolist()) for r in rows)
        return data, {"kind": "full", "steps": len(rows), "vocab": vocab, "encoding": "float32 little-endian, row-major [step][token]"}
    parts = []
    for r in rows:
        values, indices = torch.topk(r, TOP_DIST)
        rest = torch.logsumexp(r[torch.ones_like(r, dtype=torch.bool).index_fill_(0, indices, False)], dim=0)
        parts.append(b"".join(struct.pack("<if", int(i), float(v)) for v, i in zip(values, indices)) + struct.pack("<f", float(rest)))
    return b"".join(parts), {"kind": "top", "steps": len(rows), "vocab": vocab, "k": TOP_DIST,
                             "encoding": "per step: k (int32 id, float32 log p) little-endian, most likely first, then float32 log p of every other token"}


def write_distributions(path, rows):
    data, description = distribution_bytes(rows)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = "%s.tmp-%d" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return {"file": os.path.basename(path), **description, "sha256": hashlib.sha256(data).hexdigest()}


def precision_fields(model, args):
    """The seed's fields of a run that is not the canonical cpu float32 one: what ran it."""
    if args.device == "cpu" and args.precision == "float32":
        return {}
    cuda = args.device == "cuda"
    return {
        "precision": args.precision,
        "cuda_version": torch.version.cuda if cuda else None,
        "gpu_name": torch.cuda.get_device_name(0) if cuda else None,
        "emulation": model.emulation,
    }


def oracle_record(slug, hf_id, prompt_name, prompt, prompt_ids, generated, distributions, enc, model, args, weights, messages=None):
    tokens, topk, _, finish = generated
    chat = {"messages": messages} if messages is not None else {}
    return {
        "model": hf_id,
        "model_slug": slug,
        "prompt": prompt,
        **chat,
        "prompt_file": "oracle/prompts/%s%s" % (prompt_name, CHAT_SUFFIX if messages is not None else ".txt"),
        "runtime": model.runtime,
        "format": args.precision,
        "device": args.device,
        **precision_fields(model, args),
        "transformers_version": subjects.transformers_version() if model.runtime == "transformers" else None,
        "torch_version": torch.__version__,
        "max_new_tokens": PROMPT_SETTINGS.get(prompt_name, {}).get("max_new_tokens", MAX_NEW_TOKENS),
        "do_sample": False,
        "end_token_ids": end_token_ids(model.model_dir),
        "finish_reason": finish,
        "prompt_tokens": prompt_ids,
        "tokens": tokens,
        "token_count": len(tokens),
        "text": enc.decode(tokens),
        "weights_sha256": weights,
        **subjects.provenance(slug, model.model_dir),
        "topk": topk,
        **({"distributions": distributions} if distributions else {}),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--all", action="store_true", help="every zoo model")
    ap.add_argument("--model", action="append", default=[], help="a zoo or roster slug, or a local HF directory (repeatable)")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--precision", default="float32", choices=["float32", "bfloat16", "float16"])
    ap.add_argument("--runtime", default="auto", choices=["auto", "transformers", "torch-reference"])
    ap.add_argument("--out", default=None, help="root folder of the oracle files")
    ap.add_argument("--prompt", action="append", default=[], help="only this prompt (repeatable; default every prompt)")
    ap.add_argument("--no-distributions", action="store_true", help="no .logprobs.f32 files (the records keep their top-10)")
    args = ap.parse_args()
    if not args.all and not args.model:
        ap.error("give --all or --model <slug>")
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: torch sees no CUDA device")
    torch.set_num_threads(1)
    torch.manual_seed(0)
    canonical = args.device == "cpu" and args.precision == "float32"
    out_root = args.out or (os.path.join(subjects.ROOT, "oracle") if canonical else
                            os.path.join(subjects.ROOT, "models", "cache", "oracle-%s-%s" % (args.device, args.precision)))
    runtime = subjects.pick_runtime(args.runtime)
    slugs = (subjects.ZOO_SLUGS if args.all else []) + [m for m in args.model if not (args.all and m in subjects.ZOO_SLUGS)]
    # Every model is resolved and its tokenizer read before anything is written: a missing
    # directory or an unsupported family or tokenizer leaves no half-written oracle behind.
    resolved = [(subjects.name_of(arg),) + subjects.resolve(arg) for arg in slugs]
    encoders = {slug: subjects.load_encoder(model_dir) for slug, model_dir, _ in resolved}
    if os.path.abspath(out_root) != os.path.join(subjects.ROOT, "oracle"):
        copy_prompts(os.path.join(out_root, "prompts"))
    for slug, model_dir, hf_id in resolved:
        enc = encoders[slug]
        model = subjects.LoadedModel(model_dir, runtime, args.device, args.precision)
        weights = subjects.weights_sha256(model_dir)
        render = chat_renderer(model_dir)
        chats = [(name, render(messages), messages) for name, messages in read_chat_prompts()] if render else []
        for prompt_name, prompt, messages in [(n, t, None) for n, t in read_prompts()] + chats:
            if args.prompt and prompt_name not in args.prompt:
                continue
            prompt_ids = enc.encode_prompt(prompt)
            if runtime == "transformers":
                subjects.check_hf_tokenizer(model_dir, prompt, prompt_ids)
            max_new_tokens = PROMPT_SETTINGS.get(prompt_name, {}).get("max_new_tokens", MAX_NEW_TOKENS)
            if len(prompt_ids) + max_new_tokens > max_positions(model_dir):
                print("%s %s: left out (%d prompt tokens + %d new > %d positions)" % (slug, prompt_name, len(prompt_ids), max_new_tokens, max_positions(model_dir)))
                continue
            generated = greedy_with_topk(model, prompt_ids, max_new_tokens, end_token_ids(model_dir))
            distributions = None if args.no_distributions else write_distributions(os.path.join(out_root, slug, prompt_name + ".logprobs.f32"), generated[2])
            rec = oracle_record(slug, hf_id, prompt_name, prompt, prompt_ids, generated, distributions, enc, model, args, weights, messages)
            subjects.write_json(os.path.join(out_root, slug, prompt_name + ".json"), rec)
            print("%s %s [%s]: %s%s" % (slug, prompt_name, runtime, prompt[-60:], json.dumps(rec["text"])[1:-1][:200]))


if __name__ == "__main__":
    main()
