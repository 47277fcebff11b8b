"""Relationship health at a glance: a bar chart of the conversation per month, and key figures.

``HealthWidget.set_health(health)`` takes what ``services.health.vendor_health`` returns; the
chart is painted with the palette's own colours (plus an inbound and an outbound accent), so it
reads in light and dark themes, and its accessible description states every number.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QFontMetrics, QHelpEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QSizePolicy, QToolTip, QWidget

from vrmdesk.store.services.health import Health, MonthCount
from vrmdesk.ui.widgets import words
from vrmdesk.ui.widgets.accents import accent, muted
from vrmdesk.ui.widgets.dates import show_date


def _nice_step(top: int) -> int:
    """A tick step (1, 2, 5, 10, 20 …) giving at most five gridlines up to ``top``."""
    if top <= 5:
        return 1
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    return int(next(f * power for f in (1, 2, 5, 10) if f * power >= raw))


def month_summary(months: list[MonthCount]) -> str:
    received = sum(c.inbound for c in months)
    sent = sum(c.outbound for c in months)
    if not months:
        return "No months to show."
    came, went = (words.direction(b).lower() for b in (True, False))
    text = f"Last {len(months)} months: {received} {came}, {sent} {went}."
    busiest = max(months, key=lambda c: (c.inbound + c.outbound, c.month))
    if busiest.inbound + busiest.outbound:
        text += (
            f" Busiest month {busiest.month:%B %Y} with {busiest.inbound} {came} "
            f"and {busiest.outbound} {went}."
        )
    per_month = "; ".join(
        f"{c.month:%b %Y}: {c.inbound} {came}, {c.outbound} {went}" for c in months
    )
    return f"{text} By month: {per_month}."


class MonthlyChart(QWidget):
    """Inbound and outbound bars side by side for each month, with axis, gridlines and legend."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.months: list[MonthCount] = []
        self.setAccessibleName("Interactions per month")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumSize(320, 170)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # so a screen reader can land on it
        self._bars: list[tuple[QRectF, str]] = []

    def sizeHint(self) -> QSize:
        return QSize(460, 210)

    def set_months(self, months: list[MonthCount]) -> None:
        self.months = list(months)
        self.setAccessibleDescription(month_summary(self.months))
        self.update()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            tip = next(
                (
                    t
                    for r, t in self._bars
                    if r.adjusted(-2, 0, 2, 0).contains(QPointF(event.pos()))
                ),
                "",
            )
            QToolTip.showText(event.globalPos(), tip, self) if tip else QToolTip.hideText()
            return True
        return super().event(event)

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text, soft = palette.color(QPalette.ColorRole.WindowText), muted(palette)
        inbound, outbound = accent("inbound", palette), accent("outbound", palette)
        fm = QFontMetrics(self.font())
        line = fm.height()
        top_value = max([max(c.inbound, c.outbound) for c in self.months] + [1])
        step = _nice_step(top_value)
        top_value = math.ceil(top_value / step) * step
        left = fm.horizontalAdvance(str(top_value)) + 10
        plot = QRectF(left, line * 1.8, self.width() - left - 6, self.height() - line * 4.2)
        # legend, top right
        x = self.width() - 6.0
        for colour, name in ((outbound, words.direction(False)), (inbound, words.direction(True))):
            x -= fm.horizontalAdvance(name)
            painter.setPen(text)
            painter.drawText(QPointF(x, line), name)
            x -= line * 0.8 + 4
            painter.fillRect(QRectF(x, line * 0.25, line * 0.8, line * 0.8), colour)
            x -= 16
        # gridlines and y labels
        for value in range(0, top_value + 1, step):
            y = plot.bottom() - plot.height() * value / top_value
            painter.setPen(
                QPen(soft, 1, Qt.PenStyle.SolidLine if value == 0 else Qt.PenStyle.DotLine)
            )
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(soft)
            painter.drawText(
                QRectF(0, y - line / 2, left - 6, line),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                str(value),
            )
        # bars and month labels
        self._bars = []
        if not self.months:
            return
        slot = plot.width() / len(self.months)
        # month names: all of them if they fit, else every other one (ending with this month),
        # else initials
        widest = max(fm.horizontalAdvance(c.month.strftime("%b")) for c in self.months)
        every = 1 if widest <= slot - 3 else 2 if widest <= 2 * slot - 6 else 0
        january = next((i for i, c in enumerate(self.months) if i and c.month.month == 1), None)
        # the first month's year, unless January follows too closely for both to fit
        first_year = january is None or january * slot >= fm.horizontalAdvance("0000") + 8
        bar = max(2.0, min(slot * 0.36, 18.0))
        for i, c in enumerate(self.months):
            centre = plot.left() + slot * (i + 0.5)
            for value, colour, x0, word in (
                (c.inbound, inbound, centre - bar - 1, words.direction(True).lower()),
                (c.outbound, outbound, centre + 1, words.direction(False).lower()),
            ):
                height = plot.height() * value / top_value
                rect = QRectF(x0, plot.bottom() - height, bar, height)
                painter.fillRect(rect, colour)
                self._bars.append(
                    (QRectF(x0, plot.top(), bar, plot.height()), f"{c.month:%B %Y}: {value} {word}")
                )
            label = c.month.strftime("%b") if every else c.month.strftime("%b")[0]
            if every != 2 or (len(self.months) - 1 - i) % 2 == 0:
                painter.setPen(text)
                painter.drawText(
                    QPointF(centre - fm.horizontalAdvance(label) / 2, plot.bottom() + line), label
                )
            if (i == 0 and first_year) or (
                i and c.month.month == 1
            ):  # the year under its first month
                year = str(c.month.year)
                painter.setPen(soft)
                painter.drawText(
                    QPointF(
                        max(0.0, centre - fm.horizontalAdvance(year) / 2), plot.bottom() + line * 2
                    ),
                    year,
                )


def _duration(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return f"{max(1, round(hours * 60))} minutes"
    if hours < 48:
        return f"{hours:.0f} hour{'s' if round(hours) != 1 else ''}"
    return f"{hours / 24:.1f} days"


def _ago(when: datetime, now: datetime) -> str:
    days = (now.date() - when.date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago" if days < 60 else f"{days // 30} months ago"


class HealthWidget(QWidget):
    """The chart and the figures: last contact, open tickets, response time, offers vs policy."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Relationship health")
        self.chart = MonthlyChart()
        self.last_contact, self.open_tickets = QLabel(), QLabel()
        self.response, self.offers = QLabel(), QLabel()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for caption, label in (
            ("Last contact:", self.last_contact),
            ("Open tickets:", self.open_tickets),
            ("Median response:", self.response),
            ("Offers, last year:", self.offers),
        ):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            label.setAccessibleName(caption.rstrip(":"))
            form.addRow(caption, label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.chart, 3)
        layout.addLayout(form, 2)
        self.health: Health | None = None
        self.clear()

    def set_health(self, health: Health, now: datetime | None = None) -> None:
        self.health = health
        now = now or datetime.now()
        self.chart.set_months(health.months)
        self.last_contact.setText(
            f"{show_date(health.last_contact)} ({_ago(health.last_contact, now)})"
            if health.last_contact
            else "never"
        )
        self.open_tickets.setText(str(health.open_tickets))
        if health.median_response is None:
            self.response.setText("not measured yet (no answered ticket messages)")
        else:
            n = health.responses_measured
            self.response.setText(
                f"{_duration(health.median_response)} ({n} repl{'ies' if n != 1 else 'y'})"
            )
        offers = str(health.offers_last_year)
        if health.offer_limit is None:
            offers += " (no limit set)"
        else:
            offers += f" (you allow {health.offer_limit})"
        self.offers.setText(
            ("⚠ " + offers + " — over your policy") if health.over_policy else offers
        )
        colour = accent("warn", self.palette()).name() if health.over_policy else ""
        self.offers.setStyleSheet(f"color: {colour}; font-weight: bold;" if colour else "")
        self.setAccessibleDescription(self.summary())

    def summary(self) -> str:
        """Every figure in one sentence (the accessible description)."""
        if self.health is None:
            return "No vendor selected."
        return (
            f"Last contact {self.last_contact.text()}. Open tickets {self.open_tickets.text()}. "
            f"Median response {self.response.text()}. Offers in the last year "
            f"{self.offers.text()}. {self.chart.accessibleDescription()}"
        )

    def clear(self) -> None:
        self.health = None
        self.chart.set_months([])
        for label in (self.last_contact, self.open_tickets, self.response, self.offers):
            label.setText("—")
            label.setStyleSheet("")
        self.setAccessibleDescription(self.summary())
