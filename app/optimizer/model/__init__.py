"""The mixed-integer model of a compiled instance: its sparse arrays (`ModelArrays`), how they are
built (`build_model`), the value rows, the per-neighbourhood blocks the searches decompose by,
and PuLP's objects, made only for what needs them."""

from app.optimizer.model.arrays import model_arrays
from app.optimizer.model.blocks import Blocks, Cut, column_blocks
from app.optimizer.model.build import Model, build_model
from app.optimizer.model.matrix import INF, ModelArrays

__all__ = [
    "INF",
    "Blocks",
    "Cut",
    "Model",
    "ModelArrays",
    "build_model",
    "column_blocks",
    "model_arrays",
]
