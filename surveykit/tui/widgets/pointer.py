"""Mouse handling shared by the widgets that draw their own targets (scale boxes,
option rows): a click chooses what is under the pointer, hovering highlights it."""

from __future__ import annotations

from textual import events
from textual.widget import Widget


class PointerTargets(Widget):
    """A widget whose drawn targets are found by `_target_at(x, y)`.

    Subclasses implement `_target_at` (content coordinates → target index or
    None) and `_activate(index)`; `_hover` holds the index under the pointer.
    """

    _hover: int | None = None

    def _target_at(self, x: int, y: int) -> int | None:
        raise NotImplementedError

    def _activate(self, index: int) -> None:
        raise NotImplementedError

    def _index_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        return self._target_at(offset.x, offset.y)

    def on_click(self, event: events.Click) -> None:
        index = self._index_at(event)
        if index is not None:
            event.stop()
            self.focus()
            self._activate(index)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self._index_at(event)
        if index != self._hover:
            self._hover = index
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()
