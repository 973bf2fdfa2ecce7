"""Query embeddings on ONNX Runtime: the bundled model, exported with the index, served without torch."""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embed import MODEL_NAME, bundled_model_path, model_fingerprint, offline_environment

ENCODER_FILE = "encoder.onnx"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "last_hidden_state"
OPSET = 17
BATCH_SIZE = 32


def max_length(model_path: Path) -> int:
    """The truncation sentence-transformers applies (256 tokens for all-MiniLM-L6-v2)."""
    config = json.loads((model_path / "sentence_bert_config.json").read_text(encoding="utf-8"))
    return int(config["max_seq_length"])


def export_encoder(model_path: Path, target: Path) -> None:
    """Write the transformer (token vectors, before pooling) to ONNX, its layers fused; the only place torch is
    needed.

    Attention is traced as plain matrix steps ("eager"), the form ONNX Runtime's BERT optimizer fuses into one
    Attention node per layer (with the embeddings', the layer norms' and GELU's fusions): one question's encode
    went from 3.4 to 2.6 ms here, its vectors within 2e-7 of the unfused graph's. PyTorch's own attention kernel
    traces into a pattern the optimizer does not recognise.
    """
    offline_environment()
    import torch
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import AutoModel

    class TokenVectors(torch.nn.Module):
        """Keyword arguments in, one tensor out: the shape the TorchScript exporter can trace."""

        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    transformer = AutoModel.from_pretrained(str(model_path), attn_implementation="eager")
    model = TokenVectors(transformer).eval()
    # Trace with a padded row, so the exported graph applies the attention mask rather than skipping it.
    ids = torch.ones(2, 8, dtype=torch.long)
    mask = torch.ones_like(ids)
    mask[1, 5:] = 0
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, OUTPUT)}
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        traced = Path(folder) / ENCODER_FILE
        # The tracer warns about branches that are constant for BERT inputs; tests check padded batches.
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, (ids, mask, torch.zeros_like(ids)), str(traced), input_names=list(INPUTS),
                              output_names=[OUTPUT], dynamic_axes=axes, opset_version=OPSET, dynamo=False)
        # The optimizer's own fusions only (no ONNX Runtime pass baked in), so the file suits any CPU.
        optimize_model(str(traced), model_type="bert", num_heads=transformer.config.num_attention_heads,
                       hidden_size=transformer.config.hidden_size).save_model_to_file(str(target))


class OnnxEmbedder:
    """A drop-in `Embedder` with the sentence-transformers model's name and fingerprint, so staleness
    checks treat the two alike."""

    name = MODEL_NAME
    dimension = 384

    def __init__(self, encoder: Path, model_path: Path | None = None, threads: int = 1) -> None:
        # ONNX Runtime builds with telemetry write a device id and an event database under
        # ~/.cache/Microsoft at import, to send later; only this variable, set before the import,
        # stops that. The call below turns event collection off for the session as well.
        os.environ["ORT_DISABLE_TELEMETRY"] = "1"
        import onnxruntime
        from tokenizers import Tokenizer

        self.model_path = model_path or bundled_model_path()
        self.fingerprint = model_fingerprint(self.model_path)
        self._tokenizer = Tokenizer.from_file(str(self.model_path / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length(self.model_path))
        self._tokenizer.enable_padding()
        onnxruntime.disable_telemetry_events()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Threads that spin while they wait for the next step keep a core from the other requests: with two
        # threads and spinning, two clients at once got 10-15% fewer answers per second than with one thread;
        # without spinning, as many, and one question alone is still encoded 0.7 ms faster than on one thread.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # Without the arena, buffers go back after each request instead of growing with the longest input
        # and the number of concurrent requests: 20 MB less resident here, for about 5% per encode.
        options.enable_cpu_mem_arena = False
        self._session = onnxruntime.InferenceSession(str(encoder), options,
                                                     providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        rows = [self._encode_batch(texts[i:i + BATCH_SIZE]) for i in range(0, len(texts), BATCH_SIZE)]
        return np.vstack(rows) if rows else np.zeros((0, self.dimension), dtype=np.float32)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        tokens = self._session.run([OUTPUT], {"input_ids": ids, "attention_mask": mask,
                                              "token_type_ids": np.zeros_like(ids)})[0]
        # Mean pooling over real tokens, then L2 norm: what sentence-transformers does for this model.
        weights = mask[:, :, None].astype(np.float32)
        pooled = (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)


@contextmanager
def query_encoder(embedder: Any) -> Iterator[Any]:
    """An ONNX Runtime copy of a sentence-transformers embedder, for encoding many short questions at build
    time (the scope model's training set): 1,122 short texts took 7.5 s with it and 30 s with torch on this
    loaded machine. Any other embedder is used as it is."""
    from assistant.embed import SentenceTransformerEmbedder

    if not isinstance(embedder, SentenceTransformerEmbedder):
        yield embedder
        return
    with tempfile.TemporaryDirectory(prefix="encoder-") as folder:
        path = Path(folder) / ENCODER_FILE
        export_encoder(embedder.model_path, path)
        yield OnnxEmbedder(path, embedder.model_path, threads=os.cpu_count() or 1)
