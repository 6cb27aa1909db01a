"""Time HCL parsing and evaluation on a generated configuration.

Usage: ``python benchmarks/bench_hcl.py [RESOURCES]`` (default 500). Writes a root
module with that many policies, roles, attachments and a module called with for_each
into a temporary directory, then times ``hcl.parse_directory`` on it.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path, PurePosixPath

from iacguard.parsers.terraform import hcl

_BLOCK = """
resource "aws_iam_policy" "p{i}" {{
  name = "${{local.prefix}}-{i}"
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::b{i}/*" }}]
  }})
}}

resource "aws_iam_role" "r{i}" {{
  name               = "role-{i}"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}}

resource "aws_iam_role_policy_attachment" "a{i}" {{
  role       = aws_iam_role.r{i}.name
  policy_arn = aws_iam_policy.p{i}.arn
}}
"""

_HEAD = """
locals { prefix = "bench" }
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}
module "team" {
  source   = "./modules/team"
  for_each = toset(["a", "b", "c"])
  name     = each.key
}
"""

_MODULE = """
variable "name" {}
resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = <<-EOT
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
     "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]}
  EOT
}
"""


def write_tree(root: Path, count: int) -> int:
    """Write a root module with *count* policy/role/attachment triples (and a module
    called with for_each) into *root*; return the number of blocks."""
    (root / "main.tf").write_text(_HEAD + "".join(_BLOCK.format(i=i) for i in range(count)))
    (root / "modules" / "team").mkdir(parents=True)
    (root / "modules" / "team" / "main.tf").write_text(_MODULE)
    return count * 3 + 4


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(root, count)
        start = time.perf_counter()
        parsed = hcl.parse_directory(root, PurePosixPath("bench"))
        elapsed = time.perf_counter() - start
    print(f"{count * 3 + 4} blocks: {elapsed:.2f} s, {len(parsed.graph.policies())} policies")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
