"""The last screen: the survey's `outro` once every answer is saved."""

from __future__ import annotations

from surveykit.tui.screens.intro import MessageScreen


class OutroScreen(MessageScreen):
    """The survey's `outro`; its button closes the survey."""

    button_label = "Close"
