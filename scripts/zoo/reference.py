"""Plain-PyTorch reference of three causal LM families, written from their definitions.

  LlamaForCausalLM  (SmolLM): RMSNorm, RoPE (rotate_half), SwiGLU, GQA, tied lm_head
  Qwen2ForCausalLM          : the same with q/k/v biases and an untied lm_head
  GPT2LMHeadModel           : LayerNorm, learned positions, fused c_attn stored as Conv1D
                              [in, out], gelu_new, tied lm_head

Parameter names are exactly Hugging Face's, so state_dict() keys are the keys of a Hugging
Face checkpoint (tied lm_head excluded). This file is the independent oracle used when
transformers is not installed and the model definition used for training; it imports
nothing from the TypeScript engine. It is not fast, has no KV cache and no dropout.

Shapes: B batch, T sequence, C hidden, H heads, K kv heads, D head_dim, V vocab.
torch 1.13 has no scaled_dot_product_attention, so attention is written out.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def causal_attention(q, k, v):
    """q: [B,H,T,D], k/v: [B,H,T,D] -> [B,H,T,D]; softmax in fp32, masked with finfo.min."""
    scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
    T = q.shape[-2]
    mask = torch.ones(T, T, dtype=torch.bool, device=q.device).tril()
    scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    probs = F.softmax(scores.float(), dim=-1).to(q.dtype)
    return torch.matmul(probs, v)


# ---------------------------------------------------------------------------------------
# Llama / Qwen2


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(dtype)


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def rope_scaling_of(cfg):
    s = cfg.get("rope_scaling") or cfg.get("rope_parameters") or {}
    return s, s.get("rope_type", s.get("type", "default"))


def rope_inv_freq(cfg, D, device, call_length=None):
    """inv_freq [D/2] fp32 and the cos/sin scale, as transformers' rope types compute them
    (modeling_rope_utils): plain, linear, dynamic, llama3, yarn; rope_scaling or rope_parameters.
    call_length: the length of the forward call (its last position + 1), which dynamic reads."""
    theta = cfg.get("rope_theta", 10000.0)
    s, kind = rope_scaling_of(cfg)
    if kind == "dynamic":
        # NTK-aware: the base grows once the call passes max_position_embeddings (the original context)
        original = cfg["max_position_embeddings"]
        length = max(call_length or original, original)
        theta = theta * ((s["factor"] * length / original) - (s["factor"] - 1)) ** (D / (D - 2))
    inv_freq = 1.0 / (theta ** (torch.arange(0, D, 2, dtype=torch.int64, device=device).float() / D))
    if kind in ("default", "dynamic"):
        return inv_freq, 1.0
    if kind == "linear":
        return inv_freq / s["factor"], 1.0
    if kind == "llama3":
        factor, low, high, old = s["factor"], s["low_freq_factor"], s["high_freq_factor"], s["original_max_position_embeddings"]
        wavelen = 2 * math.pi / inv_freq
        scaled = torch.where(wavelen > old / low, inv_freq / factor, inv_freq)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < old / high) * ~(wavelen > old / low)
        return torch.where(medium, smoothed, scaled), 1.0
    if kind == "yarn":
        original = s.get("original_max_position_embeddings") or cfg["max_position_embeddings"]
        factor = s.get("factor") or cfg["max_position_embeddings"] / original

        def mscale(scale, m=1.0):
            return 1.0 if scale <= 1 else 0.1 * m * math.log(scale) + 1.0

        attention = s.get("attention_factor")
        if attention is None:
            m, m_all = s.get("mscale"), s.get("mscale_all_dim")
            attention = mscale(factor, m) / mscale(factor, m_all) if m and m_all else mscale(factor)
        beta_fast, beta_slow = s.get("beta_fast") or 32, s.get("beta_slow") or 1

        def correction(rotations):
            return (D * math.log(original / (rotations * 2 * math.pi))) / (2 * math.log(theta))

        low, high = correction(beta_fast), correction(beta_slow)
        if s.get("truncate", True):
            low, high = math.floor(low), math.ceil(high)
        low, high = max(low, 0), min(high, D - 1)
        if low == high:
            high += 0.001
        ramp = torch.clamp((torch.arange(D // 2, dtype=torch.float32, device=device) - low) / (high - low), 0, 1)
        pos_freqs = theta ** (torch.arange(0, D, 2, device=device).float() / D)
        extrapolation = 1 - ramp
        return (1.0 / (factor * pos_freqs)) * (1 - extrapolation) + (1.0 / pos_freqs) * extrapolation, float(attention)
    raise SystemExit("rope type %r: the reference implements default, linear, llama3 and yarn" % kind)


def call_lengths(T, prompt_len):
    """Per position, the length of the forward call that computed it when the first prompt_len
    positions run as one call and every later one as a call of its own (generate() with a KV
    cache: a cached key keeps the rotation of the call that wrote it)."""
    return [prompt_len if p < prompt_len else p + 1 for p in range(T)]


def rope_cos_sin(T, D, cfg, device, prompt_len=None):
    """cos, sin: [T, D] in fp32, the pair frequencies' halves repeated, times the scale (yarn's
    attention factor). Dynamic scaling turns each position by the frequencies of its call
    (call_lengths; prompt_len None: all T positions are one call); the others by one set."""
    positions = torch.arange(T, device=device).float()
    if rope_scaling_of(cfg)[1] == "dynamic":
        lengths = call_lengths(T, T if prompt_len is None else prompt_len)
        rows = {n: rope_inv_freq(cfg, D, device, n)[0] for n in sorted(set(lengths))}
        freqs = positions[:, None] * torch.stack([rows[n] for n in lengths])
        scale = 1.0
    else:
        inv_freq, scale = rope_inv_freq(cfg, D, device)
        freqs = torch.outer(positions, inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos() * scale, emb.sin() * scale


class LlamaAttention(nn.Module):
    def __init__(self, cfg, bias):
        super().__init__()
        C, H = cfg["hidden_size"], cfg["num_attention_heads"]
        K = cfg.get("num_key_value_heads") or H
        self.H, self.K, self.D = H, K, C // H
        self.q_proj = nn.Linear(C, H * self.D, bias=bias)
        self.k_proj = nn.Linear(C, K * self.D, bias=bias)
        self.v_proj = nn.Linear(C, K * self.D, bias=bias)
        self.o_proj = nn.Linear(H * self.D, C, bias=False)

    def forward(self, x, cos, sin):
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.H, self.D).transpose(1, 2)
        k = self.k_proj(x).view(B, T, self.K, self.D).transpose(1, 2)
        v = self.v_proj(x).view(B, T, self.K, self.D).transpose(1, 2)
        cos, sin = cos.to(q.dtype), sin.to(q.dtype)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        # repeat_kv: kv head j serves query heads j*H/K .. (j+1)*H/K - 1
        k = k.repeat_interleave(self.H // self.K, dim=1)
        v = v.repeat_interleave(self.H // self.K, dim=1)
        y = causal_attention(q, k, v).transpose(1, 2).reshape(B, T, self.H * self.D)
        return self.o_proj(y)


class LlamaMLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        C, I = cfg["hidden_size"], cfg["intermediate_size"]
        self.gate_proj = nn.Linear(C, I, bias=False)
        self.up_proj = nn.Linear(C, I, bias=False)
        self.down_proj = nn.Linear(I, C, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaDecoderLayer(nn.Module):
    def __init__(self, cfg, bias):
        super().__init__()
        self.input_layernorm = RMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])
        self.self_attn = LlamaAttention(cfg, bias)
        self.post_attention_layernorm = RMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])
        self.mlp = LlamaMLP(cfg)

    def forward(self, x, cos, sin):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        return x + self.mlp(self.post_attention_layernorm(x))


class LlamaModel(nn.Module):
    def __init__(self, cfg, bias):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg["vocab_size"], cfg["hidden_size"])
        self.layers = nn.ModuleList(LlamaDecoderLayer(cfg, bias) for _ in range(cfg["num_hidden_layers"]))
        self.norm = RMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])


class LlamaForCausalLM(nn.Module):
    """Also Qwen2ForCausalLM: model_type "qwen2" turns on q/k/v biases."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.model = LlamaModel(cfg, bias=cfg["model_type"] == "qwen2" or cfg.get("attention_bias", False))
        self.tied = cfg.get("tie_word_embeddings", True)  # transformers' default
        if not self.tied:
            self.lm_head = nn.Linear(cfg["hidden_size"], cfg["vocab_size"], bias=False)

    def forward(self, ids, prompt_len=None):
        """ids: [B,T] int64 -> logits [B,T,V] fp32. prompt_len: where generation began (call_lengths)."""
        x = self.model.embed_tokens(ids)
        D = self.cfg["hidden_size"] // self.cfg["num_attention_heads"]
        cos, sin = rope_cos_sin(ids.shape[1], D, self.cfg, ids.device, prompt_len)
        for layer in self.model.layers:
            x = layer(x, cos, sin)
        x = self.model.norm(x)
        w = self.model.embed_tokens.weight if self.tied else self.lm_head.weight
        return F.linear(x, w).float()


Qwen2ForCausalLM = LlamaForCausalLM


# ---------------------------------------------------------------------------------------
# GPT-2


class Conv1D(nn.Module):
    """GPT-2's linear layer: weight stored [in, out], y = x @ W + b."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).view(*x.shape[:-1], -1)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class GPT2Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        C = cfg["n_embd"]
        self.H = cfg["n_head"]
        self.c_attn = Conv1D(C, 3 * C)
        self.c_proj = Conv1D(C, C)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.H, C // self.H).transpose(1, 2) for t in (q, k, v))
        y = causal_attention(q, k, v).transpose(1, 2).reshape(B, T, C)
        return self.c_proj(y)


class GPT2MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        C = cfg["n_embd"]
        inner = cfg.get("n_inner") or 4 * C
        self.c_fc = Conv1D(C, inner)
        self.c_proj = Conv1D(inner, C)

    def forward(self, x):
        return self.c_proj(gelu_new(self.c_fc(x)))


class GPT2Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        C, eps = cfg["n_embd"], cfg.get("layer_norm_epsilon", 1e-5)
        self.ln_1 = nn.LayerNorm(C, eps=eps)
        self.attn = GPT2Attention(cfg)
        self.ln_2 = nn.LayerNorm(C, eps=eps)
        self.mlp = GPT2MLP(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT2Model(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.wte = nn.Embedding(cfg["vocab_size"], cfg["n_embd"])
        self.wpe = nn.Embedding(cfg["n_positions"], cfg["n_embd"])
        self.h = nn.ModuleList(GPT2Block(cfg) for _ in range(cfg["n_layer"]))
        self.ln_f = nn.LayerNorm(cfg["n_embd"], eps=cfg.get("layer_norm_epsilon", 1e-5))


class GPT2LMHeadModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.transformer = GPT2Model(cfg)

    def forward(self, ids, prompt_len=None):
        """ids: [B,T] int64 -> logits [B,T,V] fp32 (lm_head tied to wte); prompt_len: unused (learned positions)."""
        pos = torch.arange(ids.shape[1], device=ids.device)
        x = self.transformer.wte(ids) + self.transformer.wpe(pos)
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)
        return F.linear(x, self.transformer.wte.weight).float()


ARCHITECTURES = {
    "LlamaForCausalLM": LlamaForCausalLM,
    "Qwen2ForCausalLM": Qwen2ForCausalLM,
    "GPT2LMHeadModel": GPT2LMHeadModel,
}


def build_model(cfg):
    arch = cfg["architectures"][0]
    if arch not in ARCHITECTURES:
        raise ValueError("unsupported architecture %r (known: %s)" % (arch, ", ".join(ARCHITECTURES)))
    return ARCHITECTURES[arch](cfg)


def load_state(model, tensors):
    """Loads HF-named tensors (GPT-2 with or without the 'transformer.' prefix); strict."""
    if isinstance(model, GPT2LMHeadModel):
        tensors = {(k if k.startswith("transformer.") or k == "lm_head.weight" else "transformer." + k): v
                   for k, v in tensors.items()}
    tensors = {k: v for k, v in tensors.items()
               if not (k == "lm_head.weight" and "lm_head.weight" not in model.state_dict())
               and not k.endswith(".attn.bias") and not k.endswith(".attn.masked_bias")}
    missing = set(model.state_dict()) - set(tensors)
    unexpected = set(tensors) - set(model.state_dict())
    if missing or unexpected:
        raise ValueError("checkpoint does not match the architecture: missing %s, unexpected %s"
                         % (sorted(missing), sorted(unexpected)))
    model.load_state_dict(tensors, strict=True)
    return model
