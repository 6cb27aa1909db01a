"""The work budget of a scan: one count of steps shared by everything whose work grows
with the input.

Input is untrusted, and some of it is a program: a Terraform configuration loops
(``for``, ``count``, ``for_each``, ``%{for}``), reads files and renders templates; a
CloudFormation template nests intrinsic functions; a policy may name thousands of
unknown actions, each of which IAM310 compares with real ones. Each such piece of work
spends steps from the one :class:`WorkBudget` of the scan (not of an expression or a
file, so that many small bombs add up). A step is a unit of work, never a unit of time,
so a scan stops at the same place on a fast or a loaded machine:

- HCL: one step per expression node evaluated and per ``for`` or ``%{for}``
  iteration, a hundred per ``count``/``for_each`` instance (it becomes a resource every
  check visits), the size of a function's arguments, and one step per
  :data:`CHARS_PER_STEP` characters a template or ``file()`` makes or reads;
- CloudFormation: one step per template node resolved, and one per
  :data:`CHARS_PER_STEP` characters ``Fn::Sub`` or ``Fn::Join`` make;
- IAM310: one step per candidate action compared with an unknown one, plus its length;
- suppressions: one step per suppression tried on a finding, plus the address length.

A budget that runs out raises :class:`~iacguard.errors.WorkBudgetExhausted`: the engine
reports it as an ERROR diagnostic (``IAM006``) naming the input, and the scan is
incomplete (exit code 2), never a silent partial result.
"""

from __future__ import annotations

from typing import Final, final

from iacguard.errors import WorkBudgetExhausted

#: steps one scan may spend unless told otherwise (``--work-budget``). Measured: every
#: fixture under 2,000 steps, the 6,000-resource synthetic plan 479, a 50,000-line
#: template 77,000, an HCL root of 6,004 blocks 74,000 (18,004 blocks: 258,000);
#: a scan that spends all of it ends in about a second and a half (``benchmarks/hostile.py``)
DEFAULT_WORK_BUDGET: Final = 1_000_000
#: characters of text made or read per step (strings are built in C, far faster than
#: an expression is evaluated)
CHARS_PER_STEP: Final = 16


@final
class WorkBudget:
    """Steps a scan may still spend; shared by every parser and check of the scan.

    :param limit: the steps the scan may spend, at least 1.
    :raises ValueError: *limit* is below 1.
    """

    __slots__ = ("limit", "spent")

    def __init__(self, limit: int = DEFAULT_WORK_BUDGET) -> None:
        if limit < 1:
            raise ValueError(f"a work budget is at least 1 step, not {limit}")
        #: the steps the scan may spend
        self.limit = limit
        #: the steps spent so far (may pass :attr:`limit` by the last spending)
        self.spent = 0

    def spend(self, steps: int, work: str) -> None:
        """Spend *steps* on *work*; once the budget is spent, every call raises.

        :param work: what the steps are spent on, for the diagnostic
            (``"HCL for expressions"``).
        :raises WorkBudgetExhausted: the budget is spent.
        """
        self.spent += steps
        if self.spent > self.limit:
            raise WorkBudgetExhausted(self.limit, work)

    def spend_text(self, chars: int, work: str) -> None:
        """Spend the steps of making or reading *chars* characters of text (before
        making them, so that an oversized text is never allocated).

        :raises WorkBudgetExhausted: the budget is spent.
        """
        self.spend(1 + chars // CHARS_PER_STEP, work)
