"""A plugin whose every hook calls ``sys.exit()``: each is a diagnostic (#13)."""

from __future__ import annotations

import sys

from iacguard.hookspecs import RegisterRuleMetadata, hookimpl
from iacguard.registry import RegisterCheck
from iacguard.report import RegisterReporter


@hookimpl
def iacguard_register_checks(register: RegisterCheck) -> None:
    sys.exit(3)


@hookimpl
def iacguard_register_rule_metadata(register: RegisterRuleMetadata) -> None:
    sys.exit(4)


@hookimpl
def iacguard_register_reporters(register: RegisterReporter) -> None:
    sys.exit(5)
