"""How far along the participant is: `3 of 6` and a bar."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget


class ProgressIndicator(Widget):
    """`Question 3 of 6 ━━━━━━━━╺━━━━━━━━` (the bar fills the rest of the line)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"progress--done", "progress--todo", "progress--label"}

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.position = 0
        self.total = 0
        self.noun = "Question"
        #: the label's wording (the UI catalogue gives it in the participant's language)
        self.template = "{noun} {position} of {total}"

    def update_progress(self, position: int, total: int, noun: str = "Question") -> None:
        self.position, self.total, self.noun = position, total, noun
        self.refresh()

    @property
    def label(self) -> str:
        if not self.total:
            return ""
        return self.template.format(noun=self.noun, position=self.position, total=self.total)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1

    def render(self) -> Text:
        width = self.size.width
        label = self.label
        text = Text(label, self.get_component_rich_style("progress--label", partial=True), end="")
        room = width - len(label) - 2
        if room >= 8 and self.total:
            done = round(room * max(0, self.position - 1) / self.total)
            text.append("  ")
            text.append("━" * done, self.get_component_rich_style("progress--done", partial=True))
            text.append(
                "─" * (room - done), self.get_component_rich_style("progress--todo", partial=True)
            )
        return text
