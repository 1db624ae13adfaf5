"""Việc cần làm: what waits for the signed-in user, per role, as counts that link to the filtered
list showing exactly those rows (the home page), and the same work as badges on the menu (every
page). A count is the linked list's own filtered statement counted; all of a user's counts are
read in one statement: on the home page every time, for the menu's badges at most once a minute
per user and process (and again after each change the user makes).

The menu is remembered for every user with the same roles (catalog.remembered_html), so it carries
markers only; badges() puts this user's figures in their place."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from flask import g, has_request_context, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from models import Inspection, RemediationAction, Task, db
from models.enums import InspectionStatus, RemediationStatus, Role, TaskStatus

from ..inspections.exports import filters_from_args as inspection_filters
from ..inspections.queries import filtered_inspections
from ..language.formatting import format_date, local_today
from ..language.i18n import N_
from ..plans.exports import filters_from_args as task_filters
from ..plans.queries import TODO, filtered_tasks
from ..remediation.exports import filters_from_args as action_filters
from ..remediation.queries import filtered_actions

DUE_SOON_DAYS = 7
MENU_ITEMS = ("tasks", "remediation", "inspections")  # the menu's links that carry a badge


@dataclass(frozen=True)
class Line:
    """One line of "Việc cần làm": what waits, the menu item and the list it links to, and the list's
    query string."""

    key: str
    label: str
    menu: str  # one of MENU_ITEMS
    args: Callable[[object, date], dict]  # (user, today) -> the list's query string

    @property
    def endpoint(self) -> str:
        return LISTS[self.menu][0]

    def rows(self, user, today: date):
        """The select behind the link: the list's own statement, filtered by the link's arguments."""
        _endpoint, model, filtered, parse = LISTS[self.menu]
        return filtered(user, parse(self.args(user, today))).with_only_columns(model.id)


LISTS = {  # menu item -> (list endpoint, model, the list's filtered select, its query string parser)
    "tasks": ("plans.task_list", Task, filtered_tasks, task_filters),
    "remediation": ("remediation.action_list", RemediationAction, filtered_actions, action_filters),
    "inspections": ("inspections.inspection_list", Inspection, filtered_inspections, inspection_filters),
}


def _fixed(**args) -> Callable:
    return lambda _user, _today: args


def _due_soon(_user, today: date) -> dict:
    return {"status": TODO, "timeliness": "on_track", "due_to": format_date(today + timedelta(days=DUE_SOON_DAYS))}


def _mine(period: str) -> Callable:
    return lambda user, _today: {"inspector_id": str(user.id), "period": period, "sort": "upcoming"}


LINES = {line.key: line for line in (
    Line("tasks_due", N_("Nhiệm vụ đến hạn trong 7 ngày"),
         "tasks", _due_soon),
    Line("tasks_overdue", N_("Nhiệm vụ quá hạn"), "tasks",
         _fixed(timeliness="overdue")),
    Line("tasks_returned", N_("Nhiệm vụ bị trả lại"), "tasks",
         _fixed(status=TaskStatus.RETURNED.value)),
    Line("actions_todo", N_("Hành động khắc phục cần thực hiện"), "remediation", _fixed(status=TODO)),
    Line("actions_returned", N_("Hành động khắc phục bị trả lại"), "remediation",
         _fixed(status=RemediationStatus.RETURNED.value)),
    Line("tasks_to_confirm", N_("Kết quả nhiệm vụ chờ thủ trưởng xác nhận"), "tasks",
         _fixed(status=TaskStatus.AWAITING_HEAD.value)),
    Line("actions_to_confirm", N_("Kết quả khắc phục chờ thủ trưởng xác nhận"), "remediation",
         _fixed(status=RemediationStatus.AWAITING_HEAD.value)),
    Line("tasks_to_review", N_("Kết quả nhiệm vụ chờ duyệt"),
         "tasks", _fixed(status=TaskStatus.SUBMITTED.value)),
    Line("actions_to_review", N_("Kết quả khắc phục chờ duyệt"),
         "remediation", _fixed(status=RemediationStatus.SUBMITTED.value)),
    Line("conclusions_to_draft", N_("Cuộc kiểm tra chờ dự thảo kết luận"), "inspections",
         _fixed(status=InspectionStatus.MINUTES_CLOSED.value)),
    Line("task_extensions_to_forward", N_("Đề nghị gia hạn chờ chuyển lãnh đạo: nhiệm vụ"), "tasks",
         _fixed(extension="forward")),
    Line("action_extensions_to_forward", N_("Đề nghị gia hạn chờ chuyển lãnh đạo: hành động khắc phục"),
         "remediation", _fixed(extension="forward")),
    Line("task_extensions", N_("Đề nghị gia hạn chờ quyết định: nhiệm vụ"), "tasks", _fixed(extension="decide")),
    Line("action_extensions", N_("Đề nghị gia hạn chờ quyết định: hành động khắc phục"), "remediation",
         _fixed(extension="decide")),
    Line("conclusions_to_issue", N_("Dự thảo kết luận chờ ban hành"), "inspections",
         _fixed(status=InspectionStatus.CONCLUSION_DRAFTED.value)),
    Line("actions_escalated", N_("Hành động khắc phục quá hạn đã báo cáo lãnh đạo"), "remediation",
         _fixed(escalated="y")),
    Line("inspections_today", N_("Cuộc kiểm tra hôm nay"),
         "inspections", _mine("today")),
    Line("inspections_week", N_("Cuộc kiểm tra trong tuần này"),
         "inspections", _mine("week")),
)}

ROLE_LINES = {
    Role.UNIT_OFFICER: ("tasks_due", "tasks_overdue", "tasks_returned", "actions_todo", "actions_returned"),
    Role.UNIT_HEAD: ("tasks_to_confirm", "actions_to_confirm"),
    Role.COORDINATOR: ("tasks_to_review", "actions_to_review", "conclusions_to_draft", "task_extensions_to_forward",
                       "action_extensions_to_forward"),
    Role.LEADER: ("task_extensions", "action_extensions", "conclusions_to_issue", "actions_escalated"),
    Role.INSPECTOR: ("inspections_today", "inspections_week", "actions_to_review"),
}


def lines_for(user) -> list[Line]:
    """The lines of the user's roles, each once, in the order of ROLE_LINES."""
    keys = dict.fromkeys(key for role, role_keys in ROLE_LINES.items() if role in user.roles for key in role_keys)
    return [LINES[key] for key in keys]


@dataclass
class Todo:
    """A user's counts: per line (line, count, link) and per menu item (distinct rows of its lines)."""

    items: list[tuple[Line, int, str]]
    menu: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.menu.values())


def _compiled(stmt, n: int, params: dict) -> str:
    """`stmt` as SQL on its own, its parameters renamed apart (q<n>_…) into `params`."""
    compiled = stmt.compile(dialect=db.session.get_bind().dialect, compile_kwargs={"render_postcompile": True})
    sql = str(compiled)
    for name in sorted(compiled.params, key=len, reverse=True):
        sql = sql.replace(f"%({name})s", f"%(q{n}_{name})s")
        params[f"q{n}_{name}"] = compiled.params[name]
    return f"({sql})"


def _counting(user, today: date, lines: list[Line]) -> tuple[str, dict, list[str]]:
    """The SQL counting `lines` for `user` (its parameters, the menu items it counts): each line's
    select is compiled alone, so the CTEs of its scope (scoping.scope names them alike in every
    select) stay inside its own parentheses, which PostgreSQL allows."""
    params: dict = {}
    rows = {line.key: _compiled(line.rows(user, today), n, params) for n, line in enumerate(lines)}
    menus = [m for m in MENU_ITEMS if any(line.menu == m for line in lines)]
    counts = [rows[line.key] for line in lines]
    counts += [" UNION ".join(rows[line.key] for line in lines if line.menu == m) for m in menus]
    sql = "SELECT " + ", ".join(f"(SELECT count(*) FROM ({part}) AS c{n})" for n, part in enumerate(counts))
    return sql, params, menus


def _figures(user, today: date, lines: list[Line]) -> tuple[list[int], list[str]]:
    sql, params, menus = _counting(user, today, lines)
    return list(db.session.connection().exec_driver_sql(sql, params).one()), menus


def read(user, today: date | None = None) -> Todo:
    """The user's counts, in one statement (none for a user without lines)."""
    today, lines = today or local_today(), lines_for(user)
    if not lines:
        return Todo([], {})
    figures, menus = _figures(user, today, lines)
    items = [(line, figures[n], url_for(line.endpoint, **line.args(user, today))) for n, line in enumerate(lines)]
    return Todo(items, dict(zip(menus, figures[len(lines):], strict=True)))


def current(user) -> Todo:
    """read(user), once per request (the home page's, always read anew)."""
    if not has_request_context():
        return read(user)
    found = g.get("todo")
    if found is None or found[0] != user.id:
        found = g.todo = (user.id, read(user))
        _menus[user.id] = (time.monotonic() + MENU_SECONDS, found[1].menu)
    return found[1]


MENU_SECONDS = 60  # the menu's badges on other pages: at most this old, or since the user's last change
_menus: dict[int, tuple[float, dict]] = {}  # per process: user id -> (until, counts per menu item)


def menu_counts(user) -> dict:
    """The badges' figures: remembered for MENU_SECONDS in this process, so a page costs no
    statement for them (reading them cost a commune's task page about as much as the page)."""
    found = _menus.get(user.id)
    if found and found[0] > time.monotonic():
        return found[1]
    if len(_menus) >= 10_000:
        _menus.clear()
    return current(user).menu


def forget(user_id: int) -> None:
    """The user changed something: their next page reads the badges anew."""
    _menus.pop(user_id, None)


def marker(item: str) -> Markup:
    """Where the menu's link to `item` shows the user's badge (the remembered menu keeps it)."""
    return Markup(f"<!--todo:{item}-->")


def badges(menu_html: Markup, user) -> Markup:
    """The remembered menu with this user's figures in place of its markers."""
    html = str(menu_html)
    if "<!--todo:" not in html:
        return menu_html
    counts = menu_counts(user)
    for item in MENU_ITEMS:
        count = counts.get(item, 0)
        badge = (f'<span class="nav-count" data-todo="{item}"><span class="sr-only">: </span>{count}'
                 f'<span class="sr-only"> {escape(_("việc cần làm"))}</span></span>') if count else ""
        html = html.replace(str(marker(item)), badge)
    return Markup(html)
