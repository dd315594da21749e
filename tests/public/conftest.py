from tests.salespoints.conftest import shop  # noqa: F401  (fixture shared with the sales-point tests)
