"""Plain text on screen: never markup, never a raw control character."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from surveykit.textsafe import safe_display


def plain(text: str | None, *, multiline: bool = True) -> Content:
    """`text` as Textual content: shown literally (`[bold]` stays `[bold]`), controls made visible."""
    return Content(safe_display(text or "", multiline=multiline))


class PlainText(Static):
    """A `Static` for text from a definition file or a participant.

    It is never parsed as markup and control characters are shown as
    placeholders (see `surveykit.textsafe`). An empty text hides the widget.
    """

    def __init__(
        self,
        text: str | None = "",
        *,
        multiline: bool = True,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        self._multiline = multiline
        self._text = text or ""
        super().__init__(
            plain(self._text, multiline=multiline), markup=False, id=id, classes=classes
        )
        self.display = bool(self._text)

    @property
    def text(self) -> str:
        """The text as given (before it was made safe)."""
        return self._text

    def set_text(self, text: str | None) -> None:
        self._text = text or ""
        self.update(plain(self._text, multiline=self._multiline))
        self.display = bool(self._text)
