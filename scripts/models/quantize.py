#!/usr/bin/env python3
"""q8 weights for transformers.js (onnx/model_quantized.onnx): dynamic QInt8, per channel.

The quantize_dynamic default (per tensor) costs accuracy on all-MiniLM-L6-v2 (cosine to fp32 0.955-0.968
against 0.992-0.996 per channel; docs/research/embedding-model/FINDINGS.md).

usage: quantize.py <model.onnx> <model_quantized.onnx>
"""
import logging
import sys

logging.disable(logging.WARNING)
from onnxruntime.quantization import QuantType, quantize_dynamic  # noqa: E402

quantize_dynamic(sys.argv[1], sys.argv[2], weight_type=QuantType.QInt8, per_channel=True)
print("wrote", sys.argv[2])
