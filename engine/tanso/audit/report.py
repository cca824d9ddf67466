"""What `tanso verify` found: problems with their file, expected and found values, and a verdict."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tanso.audit import ALTERED, CANNOT_VERIFY, VERIFIED
from tanso.audit import messages  # noqa: F401  (registers the words of the verdict)
from tanso.i18n import t


class Said(str):
    """A text of the verdict by its catalogue key (`tanso.audit.messages`): the English text as a string (what
    the JSON holds), said in the run's language by `in_language` (`--lang`). A value may be one itself."""

    key: str
    values: dict[str, Any]

    def __new__(cls, key: str, **values: Any) -> Said:
        text = super().__new__(cls, t(key, lang="en", **values))
        text.key, text.values = key, values
        return text

    def __reduce__(self):   # copied (dataclasses.asdict) and pickled by its key, not as a plain string
        return _said, (self.key, self.values)


def _said(key: str, values: dict[str, Any]) -> Said:
    return Said(key, **values)


def counted(count: int, noun: str) -> Said:
    """`1 entry`, `2 entries` (the catalogue's `count.<noun>`)."""
    return Said(f"count.{noun}" + (".one" if count == 1 else ""), n=count)


def in_language(text: Any) -> Any:
    """A text of the verdict in the run's language: a `Said` one by its key, any other as it is (an error's own words)."""
    if not isinstance(text, Said):
        return text
    return t(text.key, **{name: in_language(value) for name, value in text.values.items()})


@dataclass(frozen=True)
class Problem:
    kind: str                 # altered | untrusted | cannot verify
    subject: str              # the file, entry or member concerned
    message: str
    expected: str | None = None
    found: str | None = None

    def text(self) -> str:
        lines = [f"  {t('verify.problem', subject=in_language(self.subject), message=in_language(self.message))}"]
        if self.expected is not None or self.found is not None:
            lines += [f"    {t('verify.expected', value=in_language(self.expected))}",
                      f"    {t('verify.found', value=in_language(self.found))}"]
        return "\n".join(lines)


@dataclass
class Report:
    """The verdict on one target. `facts` say what was checked and found sound; `status_lines` come
    first (e.g. "draft — not approved (missing: reviewer)")."""

    target: str
    problems: list[Problem] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    status_lines: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)   # for --format json (approvals, log head …)

    def add(self, kind: str, subject: str, message: str, expected: str | None = None, found: str | None = None) -> None:
        self.problems.append(Problem(kind, subject, message, expected, found))

    def merge(self, other: Report) -> None:
        self.problems += other.problems
        self.facts += other.facts
        self.status_lines += [line for line in other.status_lines if line not in self.status_lines]
        self.details.update(other.details)

    @property
    def status(self) -> str:
        kinds = {p.kind for p in self.problems}
        if "altered" in kinds:
            return "altered"
        if "untrusted" in kinds:
            return "untrusted"
        return "cannot verify" if kinds else "verified"

    @property
    def exit_code(self) -> int:
        return {"verified": VERIFIED, "cannot verify": CANNOT_VERIFY}.get(self.status, ALTERED)

    def text(self, with_status: bool = True) -> str:
        count = len(self.problems)
        verdict = (t("verify.verified", target=self.target) if not count else
                   t("verify.verdict", status=t(f"verify.status.{self.status}"), target=self.target,
                     problems=in_language(counted(count, "problem"))))
        lines = [*(map(in_language, self.status_lines) if with_status else []), verdict,
                 *(p.text() for p in self.problems), *(f"  {in_language(f)}" for f in self.facts)]
        return "\n".join(lines) + "\n"

    def as_json(self) -> str:
        return json.dumps({"target": self.target, "status": self.status, "exit_code": self.exit_code,
                           "status_lines": self.status_lines, "problems": [asdict(p) for p in self.problems],
                           "checked": self.facts, **self.details}, indent=2, sort_keys=True, default=str) + "\n"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    from tanso.run.inputs import file_digest
    return file_digest(path)
