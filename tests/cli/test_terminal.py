"""Colour and width of the report, decided from the terminal it goes to."""

import io
import sys

from grader.cli.terminal import colour_allowed, output_width


def test_no_color_set_to_anything_but_empty_turns_colour_off():
    assert colour_allowed({}) and colour_allowed({"NO_COLOR": ""})
    assert not colour_allowed({"NO_COLOR": "1"})


def test_80_columns_when_the_report_is_not_shown_on_a_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # a pipe, a file, a CI log
    assert output_width("-") == 80
    assert output_width("report.txt") == 80
