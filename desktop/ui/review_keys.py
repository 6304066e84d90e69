"""The workspace's own keys, in the order the Review menu lists them: review decisions, reveal,
stacks, moving in the grid, the views; undo last."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.ui.keys import Binding, Scope

if TYPE_CHECKING:
    from desktop.ui.workspace import CaseWorkspace


def bind_review_keys(workspace: CaseWorkspace) -> None:
    """Give `workspace.keys` the review keys (features bind theirs in their own parts)."""
    bind, decisions, picture = workspace.keys.bind, workspace.decisions, workspace.picture_reveal
    end_hold = workspace.reveals.end_hold
    for category in workspace.scheme.categories:
        bind(Binding((category.key,), f"{category.name}",
                     lambda v=category.value: decisions.categorise(v)))  # fmt: skip
    bind(Binding(("Return", "Enter"), "Reviewed, no category", decisions.mark_reviewed))
    bind(Binding(("Delete", "Backspace"), "Clear the category", lambda: decisions.categorise(None)))
    bind(Binding(("Space",), "Look at the current picture while held",
                 lambda: picture.reveal(hold=True), release=end_hold))  # fmt: skip
    bind(Binding(("R",), "Reveal / blur the current picture", picture.toggle_reveal))
    bind(Binding(("E",), "Open the near-duplicate stack", workspace.expand_stack))
    bind(Binding(("Home",), "First media", lambda: workspace.select_row(0)))
    bind(Binding(("V",), "Grid or list view", workspace.toggle_list))
    bind(Binding(("Ctrl+Shift+D",), "Viewer in a window of its own (second screen)",
                 workspace.toggle_viewer_window, Scope.ANYWHERE))  # fmt: skip
    bind(Binding(("End",), "Last media (loads every page)", workspace.go_to_end))
    bind(
        Binding(("Escape",), "Leave the stack (or stop drawing)", workspace.escape, Scope.WORKSPACE)
    )
    bind(Binding(("Ctrl+Z",), "Undo the last review change", decisions.undo, Scope.ANYWHERE))
