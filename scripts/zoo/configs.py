"""The three zoo models: config.json and generation_config.json as transformers writes them.

Keys are those transformers' config classes serialize for LlamaForCausalLM, Qwen2ForCausalLM
and GPT2LMHeadModel (no "transformers_version": these files were not written by transformers).
Dropout fields are 0.0 because training used none. No BOS is ever prepended; bos = eos = 0,
the id of <|endoftext|>.
"""

VOCAB_SIZE = 1024
EOT_ID = 0

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
        "n_ctx": 256,
        "n_embd": 128,
        "n_head": 4,
        "n_inner": None,
        "n_layer": 3,
        "n_positions": 256,
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
}

GENERATION_CONFIG = {"bos_token_id": EOT_ID, "do_sample": False, "eos_token_id": EOT_ID}

# how each model's weights are saved: (torch dtype name, number of shards)
SAVE = {"tiny-llama": ("float32", 1), "tiny-qwen2": ("bfloat16", 2), "tiny-gpt2": ("float32", 1)}

HF_IDS = {slug: "refute-zoo/" + slug for slug in CONFIGS}
SLUGS = sorted(CONFIGS)
