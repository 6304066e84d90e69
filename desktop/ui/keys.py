"""The one owner of the workspace's keys: a table of bindings, given up to text fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QEvent, QKeyCombination, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)  # fmt: skip
from shiboken6 import isValid

KEY_EVENTS = (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress, QEvent.Type.KeyRelease)


ESCAPE = QKeyCombination(Qt.KeyboardModifier.NoModifier, Qt.Key.Key_Escape).toCombined()


class Scope(Enum):
    """Where the focus must be for a binding to act (never in a text field)."""

    SURFACE = "surface"  # the grid or the picture: review decisions, reveal, stacks
    WORKSPACE = "workspace"  # anywhere in the workspace: panels' lists and buttons too
    ANYWHERE = "anywhere"  # text fields too (chords a text field does not use itself)


@dataclass(frozen=True)
class Binding:
    keys: tuple[str, ...]  # QKeySequence text: "1", "Return", "Ctrl+Shift+E"
    title: str  # said in the menus: "Categorise 1 · ..."
    action: Callable[[], object]
    scope: Scope = Scope.SURFACE
    release: Callable[[], object] | None = None  # keys held down (Space: reveal while held)
    menu: str = "review"  # the menu that lists it


def is_text_field(widget: QWidget | None) -> bool:
    """Widgets of text: every key typed there is theirs (read-only ones too: the details,
    where a letter typed by mistake must not open a dialog)."""
    if isinstance(widget, QComboBox):
        return widget.isEditable()
    return isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit | QAbstractSpinBox)


def _text_field_undoes(widget: QWidget) -> bool:
    if isinstance(widget, QLineEdit):
        return widget.isUndoAvailable()
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        return widget.document().isUndoAvailable()
    return True


def _combination(event: QKeyEvent) -> int:
    """The pressed key and modifiers (keypad digits as plain digits)."""
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return QKeyCombination(modifiers, Qt.Key(event.key())).toCombined()


class KeyOwner(QObject):
    """Sees every key pressed while the focus is inside `root` (an application event filter,
    so no child widget, shortcut or action takes a key first) and runs the binding it owns.

    While the focus is in a text field nothing but ANYWHERE chords act (and Undo only when the
    field has nothing of its own to undo), so typing never writes a record, reveals or starts a
    region, and Enter in a field never reaches the review keys; Esc there takes the focus back
    to the grid (a completer's open list takes Esc first, to close). Each key has one binding:
    bind()
    refuses a second (Qt fires neither of two shortcuts on one key). Auto-repeat never acts.
    """

    def __init__(self, root: QWidget):
        super().__init__(root)
        self.root = root
        self._bindings: list[Binding] = []
        self._by_key: dict[int, Binding] = {}
        self._surfaces: list[QWidget] = []
        self._areas: list[QWidget] = []
        self._leave_field = Binding(("Escape",), "Back to the grid", self.leave_field)
        self._held: dict[int, Binding] = {}
        self._passed: tuple[QWidget, QEvent.Type, int] | None = None
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    def bind(self, binding: Binding) -> None:
        combos = [QKeySequence(key)[0].toCombined() for key in binding.keys]
        taken = [
            key for key, combo in zip(binding.keys, combos, strict=True) if combo in self._by_key
        ]
        if taken:
            raise ValueError(f"key {taken[0]} is already bound to {self._by_key[combos[0]].title}")
        for combo in combos:
            self._by_key[combo] = binding
        self._bindings.append(binding)

    def bindings(self, menu: str | None = None) -> list[Binding]:
        return [b for b in self._bindings if menu is None or b.menu == menu]

    def add_area(self, window: QWidget) -> None:
        """Another window whose keys are the workspace's (the viewer on a second screen)."""
        self._areas.append(window)

    def remove_area(self, window: QWidget) -> None:
        self._areas = [a for a in self._areas if a is not window]

    def add_surface(self, widget: QWidget) -> None:
        """A widget where review keys act when it (or a child) has the focus."""
        self._surfaces.append(widget)

    def stop(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._held.clear()

    # ---- dispatch ------------------------------------------------------------------------------

    def binding_for(self, event: QKeyEvent, focus: QWidget | None) -> Binding | None:
        """The binding this key press runs with the focus on `focus` (None: not ours)."""
        if focus is None or not any(a is focus or a.isAncestorOf(focus) for a in self._inside()):
            return None
        key = _combination(event)
        binding = self._by_key.get(key)
        if is_text_field(focus):
            if key == ESCAPE:
                return self._leave_field  # the way back to the grid, by keyboard
            if binding is None:
                return None
            undo = event.matches(QKeySequence.StandardKey.Undo) and _text_field_undoes(focus)
            return binding if binding.scope is Scope.ANYWHERE and not undo else None
        if binding is None or (binding.scope is Scope.SURFACE and not self._on_surface(focus)):
            return None
        return binding

    def leave_field(self) -> None:
        """Esc in a text field: the focus goes back to the first visible surface (the grid)."""
        for surface in self._surfaces:
            if surface.isVisible():
                # a popup just closed (the tag field's completer) may have left no window
                # active, and focus set in an inactive window never arrives
                if not surface.isActiveWindow():
                    surface.activateWindow()
                surface.setFocus()
                return

    def _inside(self) -> list[QWidget]:
        return [self.root, *self._areas]

    def _on_surface(self, focus: QWidget) -> bool:
        return focus is self.root or any(
            s is focus or s.isAncestorOf(focus) for s in self._surfaces
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind not in KEY_EVENTS or not isinstance(watched, QWidget):
            return False
        if not isinstance(event, QKeyEvent):
            return False
        if kind == QEvent.Type.KeyRelease:
            return self._released(event)
        if self._propagated(watched, kind, event):
            return False  # a key its first receiver (a text field, a list) left alone
        binding = self.binding_for(event, watched)
        if binding is None:
            self._passed = (watched, kind, _combination(event))
            return False
        self._passed = None
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # ours: no shortcut or menu action takes it
            return True
        if not event.isAutoRepeat():
            if binding.release is not None:
                self._held[event.key()] = binding
            binding.action()
        return True

    def _propagated(self, watched: QWidget, kind: QEvent.Type, event: QKeyEvent) -> bool:
        """Qt hands a key its receiver ignored to the receiver's parents: the same key seen
        again on an ancestor of the widget that was passed is that key, not a new one."""
        passed = self._passed
        if passed is None or passed[1:] != (kind, _combination(event)) or not isValid(passed[0]):
            return False
        return watched.isAncestorOf(passed[0])

    def _released(self, event: QKeyEvent) -> bool:
        if event.isAutoRepeat():
            return event.key() in self._held
        binding = self._held.pop(event.key(), None)
        if binding is None or binding.release is None:
            return False
        binding.release()
        return True
