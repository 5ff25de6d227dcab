import pytest

from tests.backup.helpers import drop_databases


@pytest.fixture(autouse=True)
def _drop_restored_databases():
    """The PostgreSQL databases a test restored into go with it."""
    yield
    drop_databases()
