from tests.scoring.conftest import models_by_language, tiny_checkpoint, tiny_hf_model  # noqa: F401
