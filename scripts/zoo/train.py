"""Trains one zoo model on the synthetic corpus and writes it as a Hugging Face checkpoint.

Three steps in four see batch x seq windows, the fourth batch/4 windows of 4 x seq positions,
so every model has seen positions up to 512 (the long documents fill them) at the same
number of tokens per step.

Writes models/zoo/<slug>/: config.json, generation_config.json, SafeTensors weights (F32
single file, or BF16 in two shards with an index for tiny-qwen2), train-log.jsonl and
README.md (the model card). The tokenizer files must already be there (bpe.py).

Single-threaded and seeded: same machine, same torch, same BLAS -> same weights. Bits still
change with the BLAS kernel, so the weights are committed and never retrained in CI.

Usage: train.py --model tiny-llama [--steps N] [--build-dir models/cache/zoo-build]
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpe  # noqa: E402
import configs  # noqa: E402
import encoders  # noqa: E402
import reference  # noqa: E402
import safetensors_io  # noqa: E402

PROMPTS = ["What is 2+2? Answer:", "The capital of France is", "def fibonacci(n):", "Hello, my name is", "In Kraków people say"]
RESIDUAL_OUT = ("o_proj.weight", "down_proj.weight", "c_proj.weight")


def init_weights(model, n_layer, seed):
    g = torch.Generator().manual_seed(seed)
    for name, p in model.named_parameters():
        if name.endswith("bias"):
            torch.nn.init.zeros_(p)
        elif p.dim() == 1:  # norm weights
            torch.nn.init.ones_(p)
        else:
            std = 0.02 / math.sqrt(2 * n_layer) if name.endswith(RESIDUAL_OUT) else 0.02
            with torch.no_grad():
                p.copy_(torch.randn(p.shape, generator=g) * std)


class Batches:
    """Windows of seq+1 tokens; half of them start at a document start (as prompts do):
    after an <|endoftext|>, or at a <s> for a vocabulary that begins documents with one."""

    def __init__(self, ids, batch, seq, seed, doc_start):
        self.ids = torch.tensor(ids, dtype=torch.int64)
        self.batch, self.seq = batch, seq
        self.rng = np.random.RandomState(seed)
        starts = doc_start(np.array(ids))
        limit = len(ids) - 4 * seq - 1
        self.doc_starts = starts[starts <= limit]
        self.limit = limit

    def next(self, long=False):
        batch, seq = (self.batch // 4, self.seq * 4) if long else (self.batch, self.seq)
        starts = []
        for _ in range(batch):
            if self.rng.rand() < 0.5:
                starts.append(int(self.doc_starts[self.rng.randint(len(self.doc_starts))]))
            else:
                starts.append(int(self.rng.randint(self.limit + 1)))
        rows = torch.stack([self.ids[s:s + seq + 1] for s in starts])
        return rows[:, :-1], rows[:, 1:]


def loss_of(model, x, y):
    logits = model(x)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


@torch.no_grad()
def evaluate(model, val_batches):
    model.eval()
    losses = [loss_of(model, x, y).item() for x, y in val_batches]
    model.train()
    return sum(losses) / len(losses)


@torch.no_grad()
def greedy(model, ids, n):
    model.eval()
    ids = list(ids)
    out = []
    for _ in range(n):
        logits = model(torch.tensor([ids]))[0, -1]
        t = int(torch.argmax(logits))
        ids.append(t)
        out.append(t)
    model.train()
    return out


def lr_at(step, steps, peak, warmup, floor):
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return floor + 0.5 * (peak - floor) * (1 + math.cos(math.pi * progress))


def doc_starts_of(slug):
    """Where documents start in a token stream: at each <s> (SentencePiece), else after each <|endoftext|>."""
    if configs.FAMILY[slug] == "spm":
        return lambda ids: np.nonzero(ids == configs.SPM_BOS_ID)[0]
    return lambda ids: np.concatenate([[0], np.nonzero(ids == configs.EOT_ID)[0] + 1])


def save_checkpoint(model, slug, out_dir):
    dtype_name, shards = configs.SAVE[slug]
    dtype = getattr(torch, dtype_name)
    state = {k: v.detach().to(dtype).contiguous() for k, v in model.state_dict().items()}
    if shards == 1:
        safetensors_io.save_file(state, os.path.join(out_dir, "model.safetensors"))
        files = ["model.safetensors"]
    else:
        files = safetensors_io.save_sharded(state, out_dir, shards)
    bpe.write_json(os.path.join(out_dir, "config.json"), configs.CONFIGS[slug])
    bpe.write_json(os.path.join(out_dir, "generation_config.json"), configs.GENERATION_CONFIGS[slug])
    return files


TOKENIZER_LINES = {
    "spm": "Tokenizer: SentencePiece-style BPE with byte fallback (scripts/zoo/spm.py), vocab 1024, `<unk>` = 0,"
           " `<s>` = 1 (prepended), `</s>` = 2 (eos); tokenizer.json as LlamaConverter writes it and tokenizer.model.",
}
for _family in ("gpt2", "llama", "qwen2"):
    TOKENIZER_LINES[_family] = ("Tokenizer: byte-level BPE, vocab 1024, `<|endoftext|>` = 0 (also bos and eos),"
                                " `<|im_start|>` = 1, `<|im_end|>` = 2; no BOS is prepended.")


def model_card(slug, cfg, n_params, args, result, files, samples):
    arch = cfg["architectures"][0]
    dtype_name, shards = configs.SAVE[slug]
    lines = [
        "# %s" % slug,
        "",
        "A tiny %s trained by refute's model zoo so that the project has real checkpoints of this"
        " family without downloading any. It is a test subject, not a language model: it knows only"
        " the synthetic corpus below." % arch,
        "",
        "## Architecture",
        "",
        "| key | value |",
        "|---|---|",
    ]
    for k in sorted(cfg):
        if k in ("architectures", "model_type", "vocab_size", "hidden_size", "n_embd", "intermediate_size",
                 "num_hidden_layers", "n_layer", "num_attention_heads", "n_head", "num_key_value_heads",
                 "rope_theta", "rms_norm_eps", "layer_norm_epsilon", "tie_word_embeddings", "hidden_act",
                 "activation_function", "n_positions", "max_position_embeddings", "torch_dtype"):
            lines.append("| %s | %s |" % (k, json.dumps(cfg[k])))
    lines += [
        "",
        "Parameters: %d (%.2fM), counting tied embeddings once." % (n_params, n_params / 1e6),
        "Weights: %s in %s (%s)." % (dtype_name, ", ".join(files), "sharded, with model.safetensors.index.json"
                                      if shards > 1 else "single file"),
        TOKENIZER_LINES[configs.FAMILY[slug]],
        "",
        "## Corpus",
        "",
        "`scripts/zoo/corpus.py`: deterministic chains (countries and capitals in a fixed cycle, a fixed"
        " cast of people introducing themselves, arithmetic Q/A lines whose operands grow by one per line"
        " (\"What is 2+2? Answer: 4\"), small Python functions in a fixed order, greetings in a dozen"
        " scripts with emoji, one-question chats in the family's template that end the document, and"
        " capital lists thousands of tokens long), so that greedy continuations have large top-1 margins."
        " Train split seed 1234 (%d tokens), held-out split seed 5678." % result["train_tokens"],
        "",
        "## Training",
        "",
        "```",
        "OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/zoo/train.py --model %s --steps %d" % (slug, args.steps),
        "```",
        "",
        "AdamW (betas 0.9/0.95, weight decay 0.1 on matrices), peak lr %g, %d warmup steps, cosine to %g;"
        " batch %d x %d tokens (every fourth step %d x %d); %d steps; seed %d; one thread; %.1f minutes."
        % (args.lr, args.warmup, args.lr * 0.1, args.batch, args.seq, args.batch // 4, args.seq * 4, args.steps, args.seed,
           result["minutes"]),
        "",
        "| | loss |",
        "|---|---|",
        "| final train (mean of last 50 steps) | %.4f |" % result["final_train_loss"],
        "| final validation (fp32 weights) | %.4f |" % result["final_val_loss"],
        "| final validation (saved %s weights) | %.4f |" % (dtype_name, result["saved_val_loss"]),
        "",
        "## Greedy samples (32 new tokens, saved weights)",
        "",
    ]
    for prompt, text in samples:
        lines += ["```", prompt + text, "```", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, choices=configs.SLUGS)
    ap.add_argument("--steps", type=int, help="default: configs.STEPS for the model")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--eval-every", type=int, default=200)
    ap.add_argument("--build-dir", default="models/cache/zoo-build")
    ap.add_argument("--out-root", default="models/zoo")
    args = ap.parse_args()
    if args.steps is None:
        args.steps = configs.STEPS[args.model]

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    slug = args.model
    out_dir = os.path.join(args.out_root, slug)
    cfg = configs.CONFIGS[slug]
    enc = encoders.load(out_dir)
    family = configs.FAMILY[slug]
    with open(os.path.join(args.build_dir, "train-%s.txt" % family), encoding="utf-8") as f:
        train_ids = enc.encode(f.read())
    with open(os.path.join(args.build_dir, "heldout-%s.txt" % family), encoding="utf-8") as f:
        val_ids = enc.encode(f.read())

    model = reference.build_model(cfg)
    n_layer = cfg.get("num_hidden_layers") or cfg["n_layer"]
    init_weights(model, n_layer, args.seed)
    n_params = sum(p.numel() for p in model.parameters())
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95), eps=1e-8)
    batches = Batches(train_ids, args.batch, args.seq, args.seed, doc_starts_of(slug))
    val_src = Batches(val_ids, args.batch, args.seq, args.seed + 1, doc_starts_of(slug))
    val_batches = [val_src.next() for _ in range(8)]

    log_path = os.path.join(out_dir, "train-log.jsonl")
    log = open(log_path, "w", encoding="utf-8")

    def record(entry):
        log.write(json.dumps(entry) + "\n")
        log.flush()
        print(slug, json.dumps(entry), flush=True)

    record({"event": "start", "params": n_params, "train_tokens": len(train_ids), "val_tokens": len(val_ids),
            "args": vars(args), "torch": torch.__version__})
    t0 = time.time()
    recent = []
    val_loss = None
    for step in range(args.steps):
        lr = lr_at(step, args.steps, args.lr, args.warmup, args.lr * 0.1)
        for group in opt.param_groups:
            group["lr"] = lr
        x, y = batches.next(long=step % 4 == 3)
        loss = loss_of(model, x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        recent = (recent + [loss.item()])[-50:]
        evaluating = (step + 1) % args.eval_every == 0 or step + 1 == args.steps
        if (step + 1) % 50 == 0 or step == 0 or evaluating:
            entry = {"step": step + 1, "lr": round(lr, 6), "loss": round(sum(recent) / len(recent), 4),
                     "seconds": round(time.time() - t0, 1)}
            if evaluating:
                val_loss = evaluate(model, val_batches)
                entry["val_loss"] = round(val_loss, 4)
            record(entry)

    minutes = (time.time() - t0) / 60
    files = save_checkpoint(model, slug, out_dir)
    saved = reference.load_state(reference.build_model(cfg), {k: v.float() for k, v in
                                                              safetensors_io.load_dir(out_dir).items()})
    saved_val = evaluate(saved, val_batches)
    samples = [(p, enc.decode(greedy(saved, enc.encode_prompt(p), 32))) for p in PROMPTS]
    result = {"event": "done", "final_train_loss": sum(recent) / len(recent), "final_val_loss": val_loss,
              "saved_val_loss": saved_val, "minutes": minutes, "train_tokens": len(train_ids), "files": files,
              "samples": [p + t for p, t in samples]}
    record(result)
    log.close()
    with open(os.path.join(out_dir, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(model_card(slug, cfg, n_params, args, result, files, samples))


if __name__ == "__main__":
    main()
