"""Label matchers in Alertmanager's syntax — `severity=critical`, `instance!=db-01`,
`job=~"node|mysql"`, `alertname!~Test.*` — for routes and silences. Regular expressions are
anchored, as in Alertmanager."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from yingji.core.errors import DomainError

SYNTAX = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$')
MAX_MATCHERS = 10


@dataclass(frozen=True)
class Matcher:
    name: str
    op: str
    value: str

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.name, "")
        if self.op in ("=", "!="):
            return (actual == self.value) == (self.op == "=")
        return bool(re.fullmatch(self.value, actual)) == (self.op == "=~")


def parse_matchers(lines: Iterable[str]) -> list[Matcher]:
    """Each line one matcher; all must hold. A bad line is refused with its text."""
    matchers = []
    for line in lines:
        if not line.strip():
            continue
        found = SYNTAX.match(line)
        if found is None:
            raise DomainError(
                _('%(m)s is not a matcher like severity=critical or job=~"db.*".')
                % {"m": line.strip()[:100]},
                field="matchers",
            )
        name, op, value = found.groups()
        if op in ("=~", "!~"):
            try:
                re.compile(value)
            except re.error:
                raise DomainError(
                    _("%(m)s is not a valid regular expression.") % {"m": value[:100]},
                    field="matchers",
                ) from None
        matchers.append(Matcher(name, op, value))
    if not matchers or len(matchers) > MAX_MATCHERS:
        raise DomainError(_("Give 1 to 10 matchers."), field="matchers")
    return matchers


def all_match(matchers: Iterable[Matcher], labels: Mapping[str, str]) -> bool:
    return all(m.matches(labels) for m in matchers)
