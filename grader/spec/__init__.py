"""Exercise specs: the declarative description of each exercise, validated by pydantic."""

from grader.spec.catalog import Catalog
from grader.spec.models import CheckSpec, ExerciseSpec

__all__ = ["Catalog", "CheckSpec", "ExerciseSpec"]
