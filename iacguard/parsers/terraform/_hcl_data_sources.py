"""Attributes of data sources that iacguard can answer without AWS: the document of an
AWS-managed policy read with ``data "aws_iam_policy"``.

Modules copy an AWS-managed policy into an inline one (``policy =
data.aws_iam_policy.x.policy``) so that several roles can use it; the policy itself
ships with iacguard. The partition of the ARN is often ``${data.aws_partition...}``,
unknown here but irrelevant to the document.
"""

from __future__ import annotations

import json
import re
from typing import Final

from iacguard.managed_policies import aws_managed_document
from iacguard.model import RawValue, Unknown

#: ``arn:${data.aws_partition.current.partition}:iam::aws:policy/NAME``, as written
_ANY_PARTITION: Final = re.compile(r"arn:\$\{[^{}]+\}:iam::aws:policy/(?P<rest>[^${}]+)")


def managed_policy_attributes(arn: RawValue) -> dict[str, RawValue]:
    """The ``policy`` attribute of a ``data "aws_iam_policy"`` whose ``arn`` names an
    AWS-managed policy iacguard ships (its partition may be unknown); empty otherwise."""
    if isinstance(arn, Unknown) and (match := _ANY_PARTITION.fullmatch(arn.expr)):
        arn = f"arn:aws:iam::aws:policy/{match['rest']}"
    if not isinstance(arn, str) or (document := aws_managed_document(arn)) is None:
        return {}
    return {"policy": json.dumps(document, default=dict)}  # read-only mappings inside
