"""An analyst's afternoon in the real window (offscreen): a whole case reviewed by keyboard
only, then a copy of it by mouse only, with screenshots of every screen on the way.

Keyboard only: every key goes to the widget that has the focus, as a keyboard would send it
(category keys, Return, U, E and Esc for stacks, R and Space to look, T to tag and Esc back,
Ctrl+Z, V for the list view, End and Home). Mouse only: tiles are clicked, the right-click
menu categorises (the event a right button sends), the toolbar's Next unreviewed moves on,
double-click opens a stack and its bar's button leaves it, a tile held down is looked at.
Both runs end when every media of the case is reviewed; the figures are printed.

    python benchmarks/make_large_case.py is not used: the case is a real ingest of
    desktop.core.samples' pictures (near-duplicates, EXIF, broken files):
    python -c "from pathlib import Path; from desktop.core.samples import write_sample_evidence
    as w; w(Path('/tmp/aft/evidence'), scenes=1100, size=(640, 480))"
    vigil ingest --case /tmp/aft/afternoon.vigil /tmp/aft/evidence
    python benchmarks/review_afternoon.py /tmp/aft/afternoon.vigil --shots /tmp/aft/shots
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QContextMenuEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QMenu, QWidget  # noqa: E402

from desktop.store import audit  # noqa: E402
from desktop.store.db import open_case  # noqa: E402
from desktop.ui import workers  # noqa: E402
from desktop.ui.gc_guard import UiThreadCollector  # noqa: E402
from desktop.ui.main_window import MainWindow  # noqa: E402
from desktop.ui.settings import AnalystSettings  # noqa: E402
from desktop.ui.style import apply_style  # noqa: E402

KEYS = {
    "Return": Qt.Key.Key_Return, "Escape": Qt.Key.Key_Escape, "U": Qt.Key.Key_U,
    "E": Qt.Key.Key_E, "R": Qt.Key.Key_R, "T": Qt.Key.Key_T, "V": Qt.Key.Key_V,
    "End": Qt.Key.Key_End, "Home": Qt.Key.Key_Home, "Space": Qt.Key.Key_Space,
    "Right": Qt.Key.Key_Right, "Down": Qt.Key.Key_Down,
}  # fmt: skip


def settle(ms: int = 0, until: Callable[[], bool] | None = None, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    QTest.qWait(ms)
    while time.monotonic() < end and (workers.busy() or (until is not None and not until())):
        QTest.qWait(10)


def unreviewed(case: Path) -> int:
    db = open_case(case)
    try:
        return int(db.execute("SELECT COUNT(*) FROM media WHERE reviewed = 0").fetchone()[0])
    finally:
        db.close()


class Session:
    def __init__(self, case: Path, shots: Path | None):
        self.case, self.shots = case, shots
        self.keys: Counter[str] = Counter()
        self.clicks: Counter[str] = Counter()
        self.findings: list[str] = []
        folder = tempfile.mkdtemp(prefix="vigil-afternoon-")
        ini = QSettings(str(Path(folder) / "analyst.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow(AnalystSettings(ini))
        self.window.resize(1400, 860)
        self.window.show()

    @property
    def ws(self):
        assert self.window.workspace is not None
        return self.window.workspace

    def shot(self, name: str, widget: QWidget | None = None) -> None:
        if self.shots is not None:
            settle(60)
            (widget or self.window).grab().save(str(self.shots / f"{name}.png"))

    def note(self, text: str) -> None:
        if text not in self.findings:
            self.findings.append(text)
            focus = QApplication.focusWidget()
            where = type(focus).__name__ if focus is not None else "nothing"
            state = f"focus on {where}, media {self.ws.current_media()}, stack {self.ws.stack_open}"
            print(f"  finding: {text} ({state})", flush=True)

    def progress(self, steps: int) -> None:
        if steps % 100 == 0:
            settle()  # now and then the workers catch up
            left = unreviewed(self.case)
            print(f"  {steps:,} decisions, {left:,} media left", flush=True)

    # ---- the keyboard ------------------------------------------------------------------------

    def press(self, name: str, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        focus = QApplication.focusWidget()
        if focus is None:
            self.note(f"no widget had the focus for {name}: the keyboard reached nothing")
            focus = self.window
        key = KEYS.get(name) or Qt.Key(ord(name))
        QTest.keyClick(focus, key, modifier)
        self.keys[name if modifier == Qt.KeyboardModifier.NoModifier else f"Ctrl+{name}"] += 1
        QTest.qWait(1)  # an analyst at speed does not wait for the pictures to arrive

    def hold(self, name: str, ms: int) -> None:
        focus = QApplication.focusWidget() or self.window
        QTest.keyPress(focus, KEYS[name])
        QTest.qWait(ms)
        QTest.keyRelease(focus, KEYS[name])
        self.keys[f"{name} held"] += 1

    def type_text(self, text: str) -> None:
        focus = QApplication.focusWidget()
        QTest.keyClicks(focus, text)
        self.keys["letters typed"] += len(text)

    def keyboard_review(self, categories: list[str]) -> int:
        ws, steps = self.ws, 0
        before = len(list(audit.events(ws.db)))
        self.press("Home")
        while unreviewed(self.case) and steps < 20_000:
            steps += 1
            self.progress(steps)
            row = ws.grid.currentIndex().row()
            tile = ws.model.rows[row] if row >= 0 else None
            if tile is None:
                self.note("the cursor was on no tile")
                self.press("Home")
                continue
            if tile is not None and tile.reviewed and ws.stack_open is None:
                self.press("U")
                continue
            if steps % 9 == 0:
                self.press("R")  # look, then blur before deciding
                if ws.picture_reveal.revealed is None:
                    self.note("R on the grid revealed nothing")
                self.press("R")
            if steps % 23 == 0:
                self.hold("Space", 120)
            if steps % 31 == 0:  # a tag, then Esc back to the grid
                media = ws.current_media()
                self.press("T")
                if not ws.investigation.panel.tag_field.hasFocus():
                    self.note("T did not take the focus to the tag field")
                self.type_text("school uniform rde 1")
                self.press("Return")
                self.press("Escape")
                if ws.current_media() != media or not ws.grid.hasFocus():
                    self.note("tagging moved the cursor or left the focus in the field")
            if tile is not None and tile.stack_size > 1 and steps % 5 == 0:
                self.press("E")  # open the stack, decide every member, Esc back
                for _ in range(ws.model.rowCount()):
                    self.press(categories[steps % len(categories)])
                self.press("Escape")
                if ws.stack_open is not None:
                    self.note("Esc did not leave the stack")
                continue
            if steps % 97 == 0:  # a slip, undone
                self.press("Return")
                self.press("Z", Qt.KeyboardModifier.ControlModifier)
                continue
            if steps % 150 == 0:
                self.press("V")  # some decisions in the list view
                self.press(categories[0])
                self.press("V")
                continue
            self.press("Return" if steps % 4 == 0 else categories[steps % len(categories)])
            if ws.picture_reveal.revealed is not None:
                self.note("a picture stayed revealed after a decision")
        self.press("End")
        self.press("Home")
        events = Counter(e.action for e in list(audit.events(ws.db))[before:])
        print("  audit events:", dict(events), flush=True)
        return steps

    # ---- the mouse ---------------------------------------------------------------------------

    def click(self, widget: QWidget, at: QPoint | None = None, what: str = "click") -> None:
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=at or widget.rect().center())
        self.clicks[what] += 1
        QTest.qWait(1)

    def current_tile_centre(self) -> QPoint:
        ws = self.ws
        view = ws.views.currentWidget()
        index = ws.grid.currentIndex()
        return view.visualRect(ws.model.index(index.row(), 1 if view is ws.table else 0)).center()

    def context_menu(self) -> QMenu:
        ws = self.ws
        view = ws.views.currentWidget().viewport()
        at = self.current_tile_centre()
        event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, view.mapToGlobal(at))
        QApplication.sendEvent(view, event)
        self.clicks["right click"] += 1
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu), "no menu"
        return menu

    def choose(self, menu: QMenu, *path: str) -> None:
        for title in path:
            action = next(a for a in menu.actions() if a.text().split("\t")[0] == title)
            if not action.isEnabled():
                self.note(f"menu entry {title!r} disabled")
                menu.close()
                return
            centre = menu.actionGeometry(action).center()
            if action.menu() is not None:
                QTest.mouseMove(menu, centre)
                settle(5, until=lambda a=action: a.menu().isVisible(), timeout=3)
                if not action.menu().isVisible():
                    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=centre)
                menu = action.menu()
                self.clicks["menu hover"] += 1
                continue
            QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=centre)
            self.clicks["menu click"] += 1
        QTest.qWait(1)

    def toolbar(self, text: str) -> None:
        action = next(a for a in self.window.tools.actions() if a.text() == text)
        button = self.window.tools.widgetForAction(action)
        self.click(button, what=f"toolbar {text}")

    def mouse_review(self, categories: list[str]) -> int:
        ws, steps = self.ws, 0
        names = {c.key: c.name for c in ws.scheme.categories}
        self.click(ws.grid.viewport(), ws.grid.visualRect(ws.model.index(0)).center(), "tile")
        while unreviewed(self.case) and steps < 20_000:
            steps += 1
            self.progress(steps)
            row = ws.grid.currentIndex().row()
            tile = ws.model.rows[row]
            if tile.reviewed and ws.stack_open is None:
                self.toolbar("Next unreviewed")
                if ws.grid.currentIndex().row() == row:
                    self.note("Next unreviewed did not move with media left to review")
                    break
                continue
            if steps % 13 == 0:  # hold the mouse on the tile to look at it
                at = self.current_tile_centre()
                view = ws.views.currentWidget().viewport()
                QTest.mousePress(view, Qt.MouseButton.LeftButton, pos=at)
                QTest.qWait(500)
                if ws.picture_reveal.revealed is None and ws.views.currentWidget() is ws.grid:
                    self.note("holding the mouse on a tile revealed nothing")
                QTest.mouseRelease(view, Qt.MouseButton.LeftButton, pos=at)
                self.clicks["hold"] += 1
            if tile.stack_size > 1 and steps % 4 == 0 and ws.views.currentWidget() is ws.grid:
                at = self.current_tile_centre()  # a double-click: a click, then the second
                QTest.mouseClick(ws.grid.viewport(), Qt.MouseButton.LeftButton, pos=at)
                QTest.mouseDClick(ws.grid.viewport(), Qt.MouseButton.LeftButton, pos=at)
                self.clicks["double click"] += 1
                QTest.qWait(1)
                if ws.stack_open is None:
                    self.note("double-click did not open the stack")
                    continue
                for _ in range(ws.model.rowCount()):
                    key = categories[steps % len(categories)]
                    self.choose(self.context_menu(), "Categorise", names[key])
                self.click(ws.stack_bar.back, what="stack bar: back")
                continue
            if steps == 200:
                self.toolbar("Grid / list")  # some decisions in the list view
            if steps == 260:
                self.toolbar("Grid / list")
            if steps % 3 == 0:
                self.choose(self.context_menu(), "Reviewed, no category")
            else:
                key = categories[steps % len(categories)]
                self.choose(self.context_menu(), "Categorise", names[key])
        return steps


def screens(session: Session, empty_case: Path) -> None:
    """Every screen once, for the eye."""
    from desktop.ui.dialogs.evidence_dialog import EvidenceDialog
    from desktop.ui.dialogs.investigation_dialogs import ClueDialog, EntityDialog
    from desktop.ui.dialogs.settings_dialog import SettingsDialog

    win = session.window
    ws = session.ws
    session.shot("02-grid")
    ws.select_row(3)
    settle(300)
    session.shot("03-grid-viewer-details")
    for index in range(ws.viewer.side_tabs.count()):
        ws.viewer.side_tabs.setCurrentIndex(index)
        session.shot(f"04-side-tab-{index}-{ws.viewer.side_tabs.tabText(index).lower()}")
    ws.viewer.side_tabs.setCurrentIndex(0)
    ws.grid.setFocus()
    session.press("R")
    session.shot("05-revealed")
    session.press("R")
    row = next(i for i, r in enumerate(ws.model.rows) if r.stack_size > 2)
    ws.select_row(row)
    session.press("E")
    settle(400)
    session.shot("06-stack-open")
    session.press("Escape")
    menu = session.context_menu()
    settle(100)
    session.shot("07-context-menu", win)
    menu_shot = menu.grab()
    if session.shots is not None:
        menu_shot.save(str(session.shots / "07-context-menu-alone.png"))
    menu.close()
    session.press("V")
    settle(300)
    session.shot("08-list-view")
    session.press("V")
    ws.grid.selectionModel().clearSelection()
    ws.select_row(row)
    from PySide6.QtCore import QItemSelectionModel

    ws.grid.selectionModel().select(
        ws.model.index(row + 1), QItemSelectionModel.SelectionFlag.Select
    )
    dialog = ws.tile_tools.compare()
    if dialog is not None:
        settle(600)
        session.shot("09-compare", dialog)
        dialog.close()
    ws.select_row(row)
    ws.investigation.draw()
    view = ws.viewer.image_view
    settle(300)
    rect = view.image_rect()
    start = QPoint(int(rect.x() + rect.width() * 0.3), int(rect.y() + rect.height() * 0.3))
    end = QPoint(int(rect.x() + rect.width() * 0.7), int(rect.y() + rect.height() * 0.7))
    QTest.mousePress(view, Qt.MouseButton.LeftButton, pos=start)
    QTest.mouseMove(view, end)
    settle(100)
    session.shot("10-clue-drawing")
    ws.investigation.cancel_drawing()
    QTest.mouseRelease(view, Qt.MouseButton.LeftButton, pos=end)
    ws.toggle_viewer_window()
    settle(300)
    if ws.viewer_window is not None:
        session.shot("11-viewer-window", ws.viewer_window)
        session.shot("11-main-without-viewer")
        ws.viewer_window.close()
    for name, make in (
        ("12-settings", lambda: SettingsDialog(win.settings, win)),
        ("13-evidence-dialog", lambda: EvidenceDialog(win)),
        ("14-clue-dialog", lambda: ClueDialog(win)),
        ("15-entity-dialog", lambda: EntityDialog(win, kind="victim")),
    ):
        try:
            dialog = make()
        except TypeError as error:
            session.note(f"{name}: {error}")
            continue
        dialog.show()
        session.shot(name, dialog)
        dialog.close()
    for name, opener in (
        ("16-hash-library", lambda: win.known_material.open_library()),
        ("17-entities", lambda: ws.investigation.open_browser(None)),
    ):
        dialog = opener()
        settle(300)
        session.shot(name, dialog)
        dialog.close()
    for action in win.menus["case"].actions() + win.menus["help"].actions():
        title = action.text().replace("&", "").rstrip("…").strip()
        if not title or title in {"Quit", "Close case", "New case", "Open case", "Add evidence"}:
            continue
        before = set(QApplication.topLevelWidgets())
        action.trigger()
        settle(400)
        for index, top in enumerate(set(QApplication.topLevelWidgets()) - before):
            if top.isVisible():
                session.shot(f"18-menu-{title.lower().replace(' ', '-')}-{index}", top)
                top.close()
    bar = ws.filter_bar
    bar.search.setText("zzqq nothing")
    settle(800, until=lambda: ws.empty.isVisible(), timeout=5)
    session.shot("19-empty-filter")
    bar.clear_filters()
    settle(300)
    win.breaks.configure(1)
    win.breaks.remind()
    session.shot("20-break-banner")
    win.breaks.pause_requested.emit()
    session.shot("21-paused")
    win.resume()
    win.breaks.dismiss()
    win.breaks.configure(win.settings.break_minutes)
    case = session.case
    assert win.open_case(empty_case)
    settle(400)
    session.shot("22-empty-case")
    win.close_case()
    session.shot("01-start-screen")
    assert win.open_case(case)
    settle(300)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("case", type=Path)
    parser.add_argument("--shots", type=Path, default=None)
    parser.add_argument("--only", choices=["keyboard", "mouse", "screens"], default=None)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    apply_style(app)
    collector = UiThreadCollector()
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="vigil-afternoon-cases-"))
    total = int(open_case(args.case).execute("SELECT COUNT(*) FROM media").fetchone()[0])
    print(f"case: {total:,} media", flush=True)
    for mode in ("screens", "keyboard", "mouse"):
        if args.only and args.only != mode:
            continue
        copy = work / f"{mode}.vigil"
        shutil.copy(args.case, copy)
        session = Session(copy, args.shots)
        assert session.window.open_case(copy)
        settle(500)
        categories = [c.key for c in session.ws.scheme.categories if c.value is not None][:5]
        started = time.monotonic()
        if mode == "screens":
            empty = work / "empty.vigil"
            open_case(empty, create=True).close()
            screens(session, empty)
        elif mode == "keyboard":
            steps = session.keyboard_review(categories)
            session.shot("30-after-keyboard-review")
        else:
            steps = session.mouse_review(categories)
            session.shot("31-after-mouse-review")
        elapsed = time.monotonic() - started
        left = unreviewed(copy)
        if mode != "screens":
            print(
                f"{mode}: {total - left:,} of {total:,} media reviewed in {steps:,} decisions,"
                f" {elapsed:.0f} s; keys {dict(session.keys)}; mouse {dict(session.clicks)}",
                flush=True,
            )
        print(f"{mode}: findings {session.findings}", flush=True)
        session.window.close()
        settle(200)
    collector.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
