"""Screens: intro, questions, outro, the resume offer and the quit confirmation."""

from __future__ import annotations

from surveykit.tui.screens.confirm import ConfirmQuitScreen
from surveykit.tui.screens.intro import IntroScreen, MessageScreen
from surveykit.tui.screens.outro import OutroScreen
from surveykit.tui.screens.questions import QuestionsScreen
from surveykit.tui.screens.resume import ResumeOffer, ResumeScreen

__all__ = [
    "ConfirmQuitScreen",
    "IntroScreen",
    "MessageScreen",
    "OutroScreen",
    "QuestionsScreen",
    "ResumeOffer",
    "ResumeScreen",
]
