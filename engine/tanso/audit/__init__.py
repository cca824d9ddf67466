"""Provable runs and methodologies (issue #11): verify an output folder or an evidence pack, re-perform
a run, keep a hash-chained log of runs and signed approvals, bundle a run as an evidence pack, and diff
two ruleset versions (`tanso diff`, `ruleset_diff`).

Exit codes of the audit commands: 0 verified · 8 altered (or signed by an untrusted key) · 9 cannot
verify (not a tanso run, unreadable manifest or log, unknown format, inputs that are not the run's) ·
77 refused by separation of duties.
"""

from __future__ import annotations

from tanso.diagnostics import TansoError

VERIFIED = 0
ALTERED = 8
CANNOT_VERIFY = 9
NOT_PERMITTED = 77   # sysexits EX_NOPERM


class Altered(TansoError):
    """What a command was asked to build on (a run, the log) has been altered: it refuses."""

    exit_code = ALTERED


class CannotVerify(TansoError):
    """The target is not something tanso can verify: not a run, an unreadable manifest or log, an unknown format."""

    exit_code = CANNOT_VERIFY

    @property
    def said(self):
        """What it says as it was raised: a `Said` text (said in the run's language, English in the JSON), or a str."""
        return self.args[0] if self.args else str(self)


class NotPermitted(TansoError):
    """Separation of duties: this person or key has already signed this run in another role."""

    exit_code = NOT_PERMITTED


class UsageMistake(TansoError):
    """A command-line argument that cannot be used: a --key or --trust file that is not an Ed25519 key in
    PEM, a role the ruleset does not require."""

    exit_code = 64
