"""The graded result as data: pydantic models, from which the JSON Schema is generated."""

from grader.report.models import CheckResult, ExerciseResult, Host, Report, Status, Student, Tool

__all__ = ["CheckResult", "ExerciseResult", "Host", "Report", "Status", "Student", "Tool"]
