"""The four zoo models: config.json and generation_config.json as transformers writes them.

Keys are those transformers' config classes serialize for LlamaForCausalLM, Qwen2ForCausalLM
and GPT2LMHeadModel (no "transformers_version": these files were not written by transformers).
Dropout fields are 0.0 because training used none.

The three byte-level models prepend no BOS; bos = eos = 0, the id of <|endoftext|>, and the two
ChatML ones also end a turn with <|im_end|> (2), which their generation_config lists as an end
of sequence as Qwen2-Instruct's does. tiny-llama-spm is TinyLlama's shape in small: a
SentencePiece vocabulary with byte fallback (<unk> 0, <s> 1 prepended, </s> 2), grouped-query
attention (2 query heads on 1 key/value head, head_dim 64), untied head, 2,048 positions.
"""

VOCAB_SIZE = 1024
EOT_ID = 0
IM_END_ID = 2
SPM_BOS_ID, SPM_EOS_ID = 1, 2

CONFIGS = {
    "tiny-llama": {
        "architectures": ["LlamaForCausalLM"],
        "attention_bias": False,
        "attention_dropout": 0.0,
        "bos_token_id": EOT_ID,
        "eos_token_id": EOT_ID,
        "hidden_act": "silu",
        "hidden_size": 128,
        "initializer_range": 0.02,
        "intermediate_size": 256,
        "max_position_embeddings": 512,
        "mlp_bias": False,
        "model_type": "llama",
        "num_attention_heads": 4,
        "num_hidden_layers": 3,
        "num_key_value_heads": 2,
        "pretraining_tp": 1,
        "rms_norm_eps": 1e-05,
        "rope_scaling": None,
        "rope_theta": 10000.0,
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
        "use_cache": True,
        "vocab_size": VOCAB_SIZE,
    },
    "tiny-qwen2": {
        "architectures": ["Qwen2ForCausalLM"],
        "attention_dropout": 0.0,
        "bos_token_id": EOT_ID,
        "eos_token_id": EOT_ID,
        "hidden_act": "silu",
        "hidden_size": 128,
        "initializer_range": 0.02,
        "intermediate_size": 256,
        "max_position_embeddings": 512,
        "max_window_layers": 3,
        "model_type": "qwen2",
        "num_attention_heads": 4,
        "num_hidden_layers": 3,
        "num_key_value_heads": 2,
        "rms_norm_eps": 1e-06,
        "rope_scaling": None,
        "rope_theta": 1000000.0,
        "sliding_window": 512,
        "tie_word_embeddings": False,
        "torch_dtype": "bfloat16",
        "use_cache": True,
        "use_sliding_window": False,
        "vocab_size": VOCAB_SIZE,
    },
    "tiny-gpt2": {
        "activation_function": "gelu_new",
        "architectures": ["GPT2LMHeadModel"],
        "attn_pdrop": 0.0,
        "bos_token_id": EOT_ID,
        "embd_pdrop": 0.0,
        "eos_token_id": EOT_ID,
        "initializer_range": 0.02,
        "layer_norm_epsilon": 1e-05,
        "model_type": "gpt2",
        "n_ctx": 512,
        "n_embd": 128,
        "n_head": 4,
        "n_inner": None,
        "n_layer": 3,
        "n_positions": 512,
        "reorder_and_upcast_attn": False,
        "resid_pdrop": 0.0,
        "scale_attn_by_inverse_layer_idx": False,
        "scale_attn_weights": True,
        "summary_activation": None,
        "summary_first_dropout": 0.0,
        "summary_proj_to_labels": True,
        "summary_type": "cls_index",
        "summary_use_proj": True,
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
        "use_cache": True,
        "vocab_size": VOCAB_SIZE,
    },
    "tiny-llama-spm": {
        "architectures": ["LlamaForCausalLM"],
        "attention_bias": False,
        "attention_dropout": 0.0,
        "bos_token_id": SPM_BOS_ID,
        "eos_token_id": SPM_EOS_ID,
        "hidden_act": "silu",
        "hidden_size": 128,
        "initializer_range": 0.02,
        "intermediate_size": 256,
        "max_position_embeddings": 2048,
        "mlp_bias": False,
        "model_type": "llama",
        "num_attention_heads": 2,
        "num_hidden_layers": 3,
        "num_key_value_heads": 1,
        "pretraining_tp": 1,
        "rms_norm_eps": 1e-05,
        "rope_scaling": None,
        "rope_theta": 10000.0,
        "tie_word_embeddings": False,
        "torch_dtype": "float32",
        "use_cache": True,
        "vocab_size": VOCAB_SIZE,
    },
}

GENERATION_CONFIGS = {
    "tiny-llama": {"bos_token_id": EOT_ID, "do_sample": False, "eos_token_id": [IM_END_ID, EOT_ID]},
    "tiny-qwen2": {"bos_token_id": EOT_ID, "do_sample": False, "eos_token_id": [IM_END_ID, EOT_ID]},
    "tiny-gpt2": {"bos_token_id": EOT_ID, "do_sample": False, "eos_token_id": EOT_ID},
    "tiny-llama-spm": {"bos_token_id": SPM_BOS_ID, "do_sample": False, "eos_token_id": SPM_EOS_ID},
}

# each model's tokenizer family (bpe.py for gpt2/llama/qwen2, spm.py for spm)
FAMILY = {"tiny-gpt2": "gpt2", "tiny-llama": "llama", "tiny-qwen2": "qwen2", "tiny-llama-spm": "spm"}

# training steps per model (train.py's default): the SentencePiece llama and GPT-2 need 1600 to
# keep every oracle step's top-1 margin at or above 0.5 nats (at 1000, spm's arithmetic prompt
# had a step at 0.02 and GPT-2's one at 0.49)
STEPS = {"tiny-llama": 1000, "tiny-qwen2": 1000, "tiny-gpt2": 1600, "tiny-llama-spm": 1600}

# how each model's weights are saved: (torch dtype name, number of shards)
SAVE = {"tiny-llama": ("float32", 1), "tiny-qwen2": ("bfloat16", 2), "tiny-gpt2": ("float32", 1), "tiny-llama-spm": ("float32", 1)}

HF_IDS = {slug: "refute-zoo/" + slug for slug in CONFIGS}
SLUGS = sorted(CONFIGS)
