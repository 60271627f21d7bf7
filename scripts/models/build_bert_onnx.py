#!/usr/bin/env python3
"""Build a BERT-encoder ONNX graph (last_hidden_state) straight from a
model.safetensors, with only numpy + onnx + safetensors (no torch).

Inputs: input_ids, attention_mask, token_type_ids (int64, [batch, sequence])
Output: last_hidden_state (float32, [batch, sequence, hidden])
That is the signature transformers.js expects for a BertModel feature-extraction.

usage: build_bert_onnx.py <model_dir_with_config_and_safetensors> <out.onnx>
"""
import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file

src, out = sys.argv[1], sys.argv[2]
cfg = json.load(open(f"{src}/config.json"))
W = load_file(f"{src}/model.safetensors")
pre = "bert." if any(k.startswith("bert.") for k in W) else ""
H = cfg["hidden_size"]
NH = cfg["num_attention_heads"]
HD = H // NH
L = cfg["num_hidden_layers"]
EPS = cfg.get("layer_norm_eps", 1e-12)
assert cfg.get("hidden_act", "gelu") == "gelu", cfg.get("hidden_act")

nodes, inits = [], []
_n = [0]


def uid(p):
    _n[0] += 1
    return f"{p}_{_n[0]}"


_seen = set()


def const(name, arr):
    if name not in _seen:
        _seen.add(name)
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
    return name


def w(key):
    return const(key, W[pre + key].astype(np.float32))


def wt(key):  # nn.Linear weight [out,in] -> MatMul wants [in,out]
    return const(key + ".T", np.ascontiguousarray(W[pre + key].astype(np.float32).T))


def node(op, ins, **attrs):
    o = uid(op)
    nodes.append(helper.make_node(op, ins, [o], name=o, **attrs))
    return o


def linear(x, p):
    return node("Add", [node("MatMul", [x, wt(p + ".weight")]), w(p + ".bias")])


def layernorm(x, p):
    return node("LayerNormalization", [x, w(p + ".weight"), w(p + ".bias")], axis=-1, epsilon=EPS)


def gelu(x):  # exact erf gelu: 0.5*x*(1+erf(x/sqrt2))
    e = node("Erf", [node("Div", [x, const("sqrt2", np.array(np.sqrt(2.0), np.float32))])])
    return node("Mul", [node("Mul", [x, node("Add", [e, const("one_f", np.array(1.0, np.float32))])]),
                        const("half", np.array(0.5, np.float32))])


# --- embeddings
ids_shape = node("Shape", ["input_ids"])
seq_len = node("Gather", [ids_shape, const("idx1", np.array(1, np.int64))], axis=0)
pos_ids = node("Range", [const("zero_i", np.array(0, np.int64)), seq_len, const("one_i", np.array(1, np.int64))])
emb = node("Add", [
    node("Add", [node("Gather", [w("embeddings.word_embeddings.weight"), "input_ids"], axis=0),
                 node("Gather", [w("embeddings.token_type_embeddings.weight"), "token_type_ids"], axis=0)]),
    node("Gather", [w("embeddings.position_embeddings.weight"), pos_ids], axis=0)])  # [S,H] broadcasts over batch
x = layernorm(emb, "embeddings.LayerNorm")

# --- additive attention mask [B,1,1,S]: 0 keep, finfo.min drop (as HF does)
m = node("Cast", ["attention_mask"], to=TensorProto.FLOAT)
m = node("Unsqueeze", [m, const("ax12", np.array([1, 2], np.int64))])
mask_bias = node("Mul", [node("Sub", [const("one_f2", np.array(1.0, np.float32)), m]),
                         const("neg", np.array(np.finfo(np.float32).min, np.float32))])

split_shape = const("split_shape", np.array([0, 0, NH, HD], np.int64))
merge_shape = const("merge_shape", np.array([0, 0, H], np.int64))
scale = const("scale", np.array(1.0 / np.sqrt(HD), np.float32))

for i in range(L):
    p = f"encoder.layer.{i}."

    def heads(t, perm):
        return node("Transpose", [node("Reshape", [t, split_shape])], perm=perm)

    q = heads(linear(x, p + "attention.self.query"), [0, 2, 1, 3])  # B,NH,S,HD
    k = heads(linear(x, p + "attention.self.key"), [0, 2, 3, 1])    # B,NH,HD,S
    v = heads(linear(x, p + "attention.self.value"), [0, 2, 1, 3])  # B,NH,S,HD
    s = node("Add", [node("Mul", [node("MatMul", [q, k]), scale]), mask_bias])
    pr = node("Softmax", [s], axis=-1)
    ctx = node("Reshape", [node("Transpose", [node("MatMul", [pr, v])], perm=[0, 2, 1, 3]), merge_shape])
    x = layernorm(node("Add", [linear(ctx, p + "attention.output.dense"), x]), p + "attention.output.LayerNorm")
    h = gelu(linear(x, p + "intermediate.dense"))
    x = layernorm(node("Add", [linear(h, p + "output.dense"), x]), p + "output.LayerNorm")

nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="out"))

dyn = lambda n: helper.make_tensor_value_info(n, TensorProto.INT64, ["batch_size", "sequence_length"])
graph = helper.make_graph(
    nodes, "bert_encoder",
    [dyn("input_ids"), dyn("attention_mask"), dyn("token_type_ids")],
    [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch_size", "sequence_length", H])],
    inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="build_bert_onnx")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, out)
print("wrote", out)
